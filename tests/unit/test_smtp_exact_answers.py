"""SMTP-OUT and SMTP-LISTEN: exact answers where the older tests left room (docs/mutation.md).

Each row is an input a PC (or a case file written from one) can give, with the whole answer
the real code gives: the verdict and its words, the facts kept, and the evidence the assessment
reads from the result (sightings and observations). Helpers come from test_smtp_answers."""

from dataclasses import replace
from datetime import timedelta

import pytest

from checks.evidence import LISTENING, THIS_PC, Observation, Sighting
from checks.model import Result, Status
from checks.probes.listeners import Listener, ListenerFacts
from checks.probes.mail_connections import OWNER_HIDDEN, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.smtp import interpret_listen, interpret_outbound, observations, sightings
from tests.unit.test_smtp_answers import BOT, HMAIL, PROXY, TB, T, listen, obs, proc, watch

# When the check ran: later than the watch, so that a sighting's times cannot be mixed up.
RAN = T + timedelta(minutes=20)
END = T + timedelta(minutes=15)

DISCONNECT = (
    "Disconnect this PC from the internet (unplug the cable or turn off Wi-Fi) until it is"
    " cleaned, so that no more mail is sent from your line."
)
PASSWORD = "Afterwards, change your mail password from another device you trust."
REINSTALL = (
    "If the program comes back after the scan, back up your files and reinstall the operating"
    " system, or ask a professional for help."
)
SCAN = (
    "Run a full scan with your antivirus (on Windows, the Microsoft Defender Offline scan) and"
    " remove what it finds. The program was: "
)
LISTEN_DISCONNECT = (
    "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan."
)
DISGUISED_WHERE = (
    "a file that only looks like the one at its path (another file, seen from a sandbox of its own)"
)


def owner(pid, name, exe, **kw):
    return ProcessInfo(pid=pid, create_time=1763600000.0 + pid, name=name, exe=exe, **kw)


def linux_watch(observations):
    return interpret_outbound(WatchFacts("linux", T, END, 900, observations, True, None, True))


def linux_listen(*listeners):
    return interpret_listen(ListenerFacts("linux", T, tuple(listeners), True, None))


# A process whose path could not be read (another user's, without administrator rights): it is
# judged by its name alone.
NO_PATH_MAILER = owner(3100, "mailer.exe", None)
NO_PATH_RELAY = owner(3300, "relay.exe", None)
# exim4 at its usual path, but not the file at that path (another namespace): a disguise.
FAKE_EXIM = owner(880, "exim4", "/usr/sbin/exim4", exe_exists=True, exe_verified=False)
# A program whose file was deleted after it started: what malware does to hide.
DELETED_RELAY = owner(3300, "relay.exe", r"C:\Program Files\Relay\relay.exe", exe_exists=False)

OUT_SCENARIOS = {
    # Unreadable path: the name alone still tells an unknown program sending on port 25.
    "no path, port 25": lambda: watch(obs(NO_PATH_MAILER, 2, 25)),
    # A disguised mail server is no mail server: it fails, it is not just "delivered mail".
    "disguised exim4": lambda: linux_watch(obs(FAKE_EXIM, 1, 25)),
}
OUT_EXPECTED = {
    "no path, port 25": (
        "fail",
        "direct",
        "A program called mailer.exe was sending mail directly to 2 mail servers, which normal"
        " mail programs never do.",
        (DISCONNECT, SCAN + "mailer.exe", PASSWORD, REINSTALL),
        "mailer.exe",
    ),
    "disguised exim4": (
        "fail",
        "suspicious_location",
        f"A program called exim4 in {DISGUISED_WHERE} was sending mail directly to 1 mail server.",
        (DISCONNECT, SCAN + "/usr/sbin/exim4", PASSWORD, REINSTALL),
        "exim4",
    ),
}


@pytest.mark.parametrize("name", list(OUT_SCENARIOS))
def test_outbound_judges_what_the_process_can_tell(name):
    result = OUT_SCENARIOS[name]()
    words = result.words("en")
    status, reason, summary, advice, program = OUT_EXPECTED[name]
    assert (str(result.status), result.reason) == (status, reason)
    assert words.summary == summary
    assert words.advice == advice
    assert result.facts["programs"][0]["program"] == program


def test_an_unknown_program_is_listed_under_its_own_name():
    # The facts name an unknown program as the process calls itself, extension included.
    result = watch(obs(proc(3100, "mailer.exe", r"C:\Program Files\Mailer\mailer.exe"), 1, 587))
    assert result.facts["programs"][0]["program"] == "mailer.exe"


def test_a_program_keeps_its_count_but_lists_its_first_200_connections():
    # A spam bot opens hundreds of connections in a watch: the facts keep the first 200.
    result = watch(obs(BOT, 201, 25))
    listed = result.facts["programs"][0]
    assert listed["connection_count"] == 201
    assert len(listed["connections"]) == 200
    assert listed["connections"][-1]["remote_ip"] == "198.51.100.209"


LISTEN_SCENARIOS = {
    # A listener whose file was deleted after it started is malware hiding, not a relay.
    "deleted file": lambda: listen(Listener("0.0.0.0", 25, DELETED_RELAY)),
    # A disguised exim4 reachable from outside is no mail server that was merely left open.
    "disguised exim4": lambda: linux_listen(Listener("0.0.0.0", 25, FAKE_EXIM)),
    # Unreadable path: judged by its name, and the advice names it where the path would be.
    "no path": lambda: listen(Listener("0.0.0.0", 2525, NO_PATH_RELAY)),
}
LISTEN_EXPECTED = {
    "deleted file": (
        "fail",
        "suspicious_location",
        "A program called relay.exe in a file that has since been deleted is running a mail"
        " server that other machines can reach (port 25).",
        (LISTEN_DISCONNECT,),
        "relay.exe",
    ),
    "disguised exim4": (
        "fail",
        "suspicious_location",
        f"A program called exim4 in {DISGUISED_WHERE} is running a mail server that other"
        " machines can reach (port 25).",
        (LISTEN_DISCONNECT,),
        "exim4",
    ),
    "no path": (
        "fail",
        "unknown_program",
        "A program called relay.exe, which is not a known mail server, is accepting mail"
        " connections from other machines on port 2525.",
        (
            "If you do not recognise relay.exe (relay.exe), end it and scan this PC with your antivirus.",
        ),
        "relay.exe",
    ),
}


@pytest.mark.parametrize("name", list(LISTEN_SCENARIOS))
def test_listen_judges_what_the_process_can_tell(name):
    result = LISTEN_SCENARIOS[name]()
    words = result.words("en")
    status, reason, summary, advice, program = LISTEN_EXPECTED[name]
    assert (str(result.status), result.reason) == (status, reason)
    assert words.summary == summary
    assert words.advice == advice
    assert result.facts["listeners"][0]["program"] == program


def test_an_unknown_listener_is_listed_under_its_own_name():
    # As for SMTP-OUT: the facts call an unknown program what the process calls itself.
    other = proc(3300, "relay.exe", r"C:\Program Files\Relay\relay.exe")
    assert listen(Listener("0.0.0.0", 2525, other)).facts["listeners"][0]["program"] == "relay.exe"


# Words from stored findings (a case file from an older version, or damaged).


def stored(check_id, reason, status, **params):
    return Result(check_id, Status(status), reason, params)


STORED_WORDS = {
    # Neither a display name nor a name: "…", never an empty or made-up name.
    "client without names": (
        stored(
            "SMTP-OUT",
            "client_unusual_place",
            "warn",
            programs=[{"reason": "client_unusual_place", "destinations": ["198.51.100.7:587"]}],
        ),
        "… connected to a mail server (198.51.100.7:587), but it runs from an unusual folder.",
        ("Make sure this is the real …: reinstall it from the official site. It runs from: …",),
    ),
    # An empty name (a process that gave none) reads as "…" too.
    "listener with an empty name": (
        stored(
            "SMTP-LISTEN",
            "unknown_program",
            "fail",
            items=[{"reason": "unknown_program", "status": "fail", "port": 25, "name": ""}],
        ),
        "A program called …, which is not a known mail server, is accepting mail connections"
        " from other machines on port 25.",
        ("If you do not recognise … (…), end it and scan this PC with your antivirus.",),
    ),
    # A mail server whose display name was not kept: "…", in the summary and the advice.
    "mail server without names": (
        stored(
            "SMTP-LISTEN",
            "mail_server_exposed",
            "warn",
            items=[{"reason": "mail_server_exposed", "status": "warn", "port": 587, "top": True}],
        ),
        "The mail server … is accepting connections from other machines on port 587. If it"
        " relays mail for anyone, spammers can use it.",
        (
            "If you do not need a mail server on this PC, turn … off. If you do, make sure it"
            " relays only for you and listens only where it must.",
        ),
    ),
    # No path kept: the name stands in for it, as SMTP-OUT's words do.
    "listener without a path": (
        stored(
            "SMTP-LISTEN",
            "unknown_program",
            "fail",
            items=[
                {
                    "reason": "unknown_program",
                    "status": "fail",
                    "port": 2525,
                    "name": "relay.exe",
                    "path": None,
                }
            ],
        ),
        "A program called relay.exe, which is not a known mail server, is accepting mail"
        " connections from other machines on port 2525.",
        (
            "If you do not recognise relay.exe (relay.exe), end it and scan this PC with your antivirus.",
        ),
    ),
}


@pytest.mark.parametrize("name", list(STORED_WORDS))
def test_stored_findings_read_without_gaps(name):
    result, summary, advice = STORED_WORDS[name]
    words = result.words("en")
    assert words.summary == summary
    assert words.advice == advice


def test_a_stored_listen_result_without_items_is_worded_without_crashing():
    # An older case file that kept the verdict but not the items: it must still be shown.
    words = stored("SMTP-LISTEN", "mail_server_exposed", "warn").words("en")
    assert words.summary and words.summary != "mail_server_exposed"  # words, never the code
    assert words.advice == ()
    # An item stored without its reason crashed the wording (KeyError).
    item = stored("SMTP-LISTEN", "mail_server_exposed", "warn", items=[{"status": "warn"}])
    assert item.words("en").summary != "mail_server_exposed"


WHERE_UNKNOWN = {
    "SMTP-OUT": stored(
        "SMTP-OUT",
        "suspicious_location",
        "fail",
        programs=[
            {
                "reason": "suspicious_location",
                "name": "x.exe",
                "destinations": ["198.51.100.7:587"],
            }
        ],
    ),
    "SMTP-LISTEN": stored(
        "SMTP-LISTEN",
        "suspicious_location",
        "fail",
        items=[
            {
                "reason": "suspicious_location",
                "status": "fail",
                "port": 25,
                "name": "x.exe",
                "top": True,
            }
        ],
    ),
}


@pytest.mark.parametrize("check_id", list(WHERE_UNKNOWN))
def test_a_suspicious_program_without_its_location_still_says_where(check_id):
    # A stored result without its location read "x.exe in  was": the place left blank.
    summary = WHERE_UNKNOWN[check_id].words("en").summary
    assert "x.exe in  " not in summary and "x.exe in … " in summary


# Evidence for the assessment: sightings.


def ran(result):
    return replace(result, started_at=RAN)


def sending(status, reason, **kw):
    return Sighting("SMTP-OUT", Status(status), reason, THIS_PC, seen_at=RAN, **kw)


def bot_sighting(servers):
    return sending(
        "fail",
        "suspicious_location",
        program="svchost.exe",
        path=BOT.exe,
        pid=7420,
        servers=servers,
        destinations=servers,
        first_seen=T,
        last_seen=T + timedelta(seconds=servers),
    )


SIGHTINGS = {
    # Everything the assessment needs about the sender: who, where from, how many, when.
    "bot": (lambda: ran(watch(obs(BOT, 3, 25))), [bot_sighting(3)]),
    # A known client that passed is no evidence; only the bot is.
    "bot and thunderbird": (
        lambda: ran(watch(obs(TB, 1, 587) + obs(BOT, 2, 25))),
        [bot_sighting(2)],
    ),
    # Unidentified sender: no program, path or pid, but its servers and times are kept.
    "hidden owner": (
        lambda: ran(watch(obs(None, 2, 25, OWNER_HIDDEN))),
        [
            sending(
                "warn",
                "unidentified_direct",
                servers=2,
                destinations=2,
                first_seen=T,
                last_seen=T + timedelta(seconds=2),
            )
        ],
    ),
    # A clean watch is no sighting.
    "none": (lambda: ran(watch([])), []),
    # A stored program entry that lost its reason keeps its verdict, with an empty reason.
    "stored entry without reason": (
        lambda: replace(
            stored(
                "SMTP-OUT",
                "direct",
                "fail",
            ),
            facts={"programs": [{"verdict": "fail", "name": "mailer.exe", "pid": 3100}]},
            started_at=RAN,
        ),
        [sending("fail", "", program="mailer.exe", pid=3100)],
    ),
    # An older result that kept no program list: its verdict is still evidence.
    "stored fail without programs": (
        lambda: replace(stored("SMTP-OUT", "direct", "fail"), started_at=RAN),
        [sending("fail", "direct")],
    ),
    # ...and a pass without programs is none.
    "stored pass without programs": (
        lambda: replace(stored("SMTP-OUT", "none_watched", "pass"), started_at=RAN),
        [],
    ),
    # SMTP-LISTEN: each listener others can reach, with its program and port.
    "malware listening": (
        lambda: ran(listen(Listener("0.0.0.0", 25, PROXY))),
        [
            Sighting(
                "SMTP-LISTEN",
                Status.FAIL,
                "suspicious_location",
                THIS_PC,
                program="winsvc.exe",
                path=PROXY.exe,
                pid=6100,
                port=25,
                seen_at=RAN,
                kind=LISTENING,
            )
        ],
    ),
    # A loopback-only mail server is no evidence.
    "loopback listener": (lambda: ran(listen(Listener("127.0.0.1", 25, HMAIL))), []),
}


@pytest.mark.parametrize("name", list(SIGHTINGS))
def test_sightings(name):
    make, expected = SIGHTINGS[name]
    assert sightings(make()) == expected


def test_each_exposed_listener_is_its_own_sighting():
    # Both listeners are evidence, each with its own verdict, reason, program and port: the mail
    # server's sighting took the whole result's reason ("suspicious_location").
    result = ran(listen(Listener("0.0.0.0", 587, HMAIL), Listener("0.0.0.0", 25, PROXY)))
    seen = sightings(result)
    assert [(s.check_id, s.status, s.reason, s.program, s.port, s.kind) for s in seen] == [
        ("SMTP-LISTEN", Status.WARN, "mail_server_exposed", "hMailServer.exe", 587, LISTENING),
        ("SMTP-LISTEN", Status.FAIL, "suspicious_location", "winsvc.exe", 25, LISTENING),
    ]


def test_a_mail_program_whose_file_could_not_be_read_is_not_said_to_be_in_an_unusual_folder():
    # Its folder is unknown, not unusual ("It runs from: thunderbird.exe" was false too); and
    # a name alone is no mail program.
    tb = proc(5100, "thunderbird.exe", None)
    result = watch(obs(tb, 1, 587))
    words = result.words("en")
    assert (result.status, result.reason) == (Status.WARN, "client_path_unknown")
    assert words.summary == (
        "thunderbird.exe connected to a mail server (198.51.100.10:587), but its file could not"
        " be read, so we could not check that it is the real Thunderbird."
    )
    assert words.advice == (
        "Run the check again as administrator: it can then read where thunderbird.exe runs from.",
    )


# Evidence for the assessment: observations (times mail traffic was watched, clean or not).


def window(**changes):
    base = {"mode": "watch", "from": T.isoformat(), "to": END.isoformat(), "complete": True}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def stored_watch(status, reason, win, programs=None):
    facts = {"window": win} if win is not None else {}
    if programs is not None:
        facts["programs"] = programs
    return Result("SMTP-OUT", Status(status), reason, {}, facts=facts)


OBSERVATIONS = {
    # A clean watch: the whole window, clean.
    "clean watch": (lambda: [watch([])], [Observation("watch", THIS_PC, T, END, True)]),
    # One look: a snapshot, still clean.
    "clean snapshot": (
        lambda: [watch([], polls=1)],
        [Observation("snapshot", THIS_PC, T, END, True)],
    ),
    # Known clients seen: it passed, but mail connections were made, so it is not clean.
    "thunderbird only": (
        lambda: [watch(obs(TB, 1, 587))],
        [Observation("watch", THIS_PC, T, END, False)],
    ),
    # A sender seen: watched, not clean.
    "bot": (lambda: [watch(obs(BOT, 1, 25))], [Observation("watch", THIS_PC, T, END, False)]),
    # Not every program's connections were visible: the window proves nothing, even though
    # the result is a warning with a start and an end.
    "incomplete warning": (
        lambda: [watch(obs(None, 1, 25, OWNER_HIDDEN), complete=False, reason="not admin")],
        [],
    ),
    # An older case file whose window did not say whether it was complete: taken as complete.
    "stored window without completeness": (
        lambda: [stored_watch("pass", "none_watched", window(complete=None), [])],
        [Observation("watch", THIS_PC, T, END, True)],
    ),
    # A result that could not be judged is no observation, whatever its window says.
    "stored unknown": (
        lambda: [stored_watch("unknown", "incomplete", window(complete=None))],
        [],
    ),
    # No window kept at all: nothing to count, and no crash.
    "stored without window": (lambda: [stored_watch("pass", "none_watched", None, [])], []),
    # A window without its start is no window.
    "stored without start": (
        lambda: [stored_watch("pass", "none_watched", window(**{"from": None}), [])],
        [],
    ),
    # A window without its end is no window either.
    "stored without end": (
        lambda: [stored_watch("pass", "none_watched", window(to=None), [])],
        [],
    ),
    # SMTP-LISTEN results are no watch of mail traffic.
    "listen result": (lambda: [listen(Listener("0.0.0.0", 25, PROXY))], []),
}


@pytest.mark.parametrize("name", list(OBSERVATIONS))
def test_observations(name):
    make, expected = OBSERVATIONS[name]
    assert observations(make()) == expected
