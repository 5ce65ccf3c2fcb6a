"""SMTP-OUT: each kind of program, and each kind of silence, gives exactly one answer.

Scenarios are built inside the tests (lambdas): mutation testing attributes a function to the
tests that call it, and a call made while the module is imported belongs to no test.

Written after mutation testing (docs/mutation.md): the older tests looked at the status and a
word or two, so a changed reason, a dropped advice line or a swapped count passed. The expected
answers below were read line by line before they were frozen."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.model import Status
from checks.probes.listeners import Listener, ListenerFacts
from checks.probes.mail_connections import OWNER_ENDED, OWNER_HIDDEN, Observation, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.smtp import interpret_listen, interpret_outbound

T = datetime(2026, 11, 21, 5, 0, tzinfo=UTC)


def proc(pid, name, exe):
    return ProcessInfo(pid=pid, create_time=1763600000.0 + pid, name=name, exe=exe, exe_exists=True)


def obs(owner, servers, port, problem=None):
    return [
        Observation(
            "192.168.10.23",
            50000 + i,
            f"198.51.100.{10 + i}",
            port,
            T + timedelta(seconds=i),
            T + timedelta(seconds=i + 1),
            ["ESTABLISHED"],
            owner,
            problem,
        )
        for i in range(servers)
    ]


def watch(observations, polls=900, complete=True, reason=None):
    return interpret_outbound(
        WatchFacts(
            "windows", T, T + timedelta(minutes=15), polls, observations, complete, reason, complete
        )
    )


BOT = proc(7420, "svchost.exe", r"C:\Users\taro\AppData\Roaming\Microsoft\Network\svchost.exe")
UNKNOWN_PF = proc(3100, "mailer.exe", r"C:\Program Files\Mailer\mailer.exe")
HMAIL = proc(2200, "hMailServer.exe", r"C:\Program Files (x86)\hMailServer\Bin\hMailServer.exe")
TB = proc(5100, "thunderbird.exe", r"C:\Program Files\Mozilla Thunderbird\thunderbird.exe")
TB_ODD = proc(5200, "thunderbird.exe", r"D:\Tools\Thunderbird\thunderbird.exe")
SCENARIOS = {
    "bot": lambda: watch(obs(BOT, 3, 25)),
    "unknown_direct": lambda: watch(obs(UNKNOWN_PF, 2, 25)),
    "mail_server": lambda: watch(obs(HMAIL, 4, 25)),
    "thunderbird": lambda: watch(obs(TB, 1, 587)),
    "thunderbird_odd": lambda: watch(obs(TB_ODD, 1, 587)),
    "unknown_587": lambda: watch(obs(UNKNOWN_PF, 1, 587)),
    "hidden_25": lambda: watch(obs(None, 2, 25, OWNER_HIDDEN)),
    "ended_25": lambda: watch(obs(None, 1, 25, OWNER_ENDED)),
    "unidentified_587": lambda: watch(obs(None, 1, 587, OWNER_ENDED)),
    "none_watched": lambda: watch([]),
    "none_snapshot": lambda: watch([], polls=1),
    "incomplete": lambda: watch([], complete=False, reason="not administrator"),
    # Known programs seen, but not every program's connections: no all-clear.
    "thunderbird_incomplete": lambda: watch(obs(TB, 1, 587), complete=False, reason="not admin"),
    "mixed": lambda: watch(obs(TB, 1, 587) + obs(BOT, 2, 25)),
}


EXPECTED = {
    "bot": (
        "fail",
        "suspicious_location",
        (),
        "A program called svchost.exe in a hidden folder was sending mail directly to 3 mail servers.",
        (
            "Disconnect this PC from the internet (unplug the cable or turn off Wi-Fi) until it is cleaned, so that no more mail is sent from your line.",
            "Run a full scan with your antivirus (on Windows, the Microsoft Defender Offline scan) and remove what it finds. The program was: C:\\Users\\taro\\AppData\\Roaming\\Microsoft\\Network\\svchost.exe",
            "Afterwards, change your mail password from another device you trust.",
            "If the program comes back after the scan, back up your files and reinstall the operating system, or ask a professional for help.",
        ),
    ),
    "unknown_direct": (
        "fail",
        "direct",
        (),
        "A program called mailer.exe was sending mail directly to 2 mail servers, which normal mail programs never do.",
        (
            "Disconnect this PC from the internet (unplug the cable or turn off Wi-Fi) until it is cleaned, so that no more mail is sent from your line.",
            "Run a full scan with your antivirus (on Windows, the Microsoft Defender Offline scan) and remove what it finds. The program was: C:\\Program Files\\Mailer\\mailer.exe",
            "Afterwards, change your mail password from another device you trust.",
            "If the program comes back after the scan, back up your files and reinstall the operating system, or ask a professional for help.",
        ),
    ),
    "mail_server": (
        "warn",
        "mail_server_direct",
        (),
        "The mail server program hMailServer.exe on this PC delivered mail directly to 4 mail servers.",
        (
            "If you did not set up a mail server on this PC, stop and remove hMailServer.exe. If you did, check its logs for mail you did not send.",
        ),
    ),
    "thunderbird": (
        "pass",
        "known_clients_only",
        (),
        "Only known mail programs connected to mail servers, on the normal submission ports: Thunderbird.",
        (),
    ),
    "thunderbird_incomplete": (
        "unknown",
        "known_clients_incomplete",
        ("run_admin",),
        "Only known mail programs were seen connecting to mail servers (Thunderbird), but without"
        " administrator rights we could not see every program's connections.",
        ("Run Clearline as administrator to see every program's connections.",),
    ),
    "thunderbird_odd": (
        "warn",
        "client_unusual_place",
        (),
        "thunderbird.exe connected to a mail server (198.51.100.10:587), but it runs from an unusual folder.",
        (
            "Make sure this is the real Thunderbird: reinstall it from the official site. It runs from: D:\\Tools\\Thunderbird\\thunderbird.exe",
        ),
    ),
    "unknown_587": (
        "warn",
        "unknown_program",
        (),
        "A program called mailer.exe, which we do not know as a mail program, connected to a mail server (198.51.100.10:587).",
        (
            "If you do not recognise mailer.exe (C:\\Program Files\\Mailer\\mailer.exe), end it and scan this PC with your antivirus.",
        ),
    ),
    "hidden_25": (
        "warn",
        "unidentified_direct",
        (),
        "Something on this PC connected directly to 2 mail servers on port 25; only an administrator can see which program it was.",
        (
            "Run the check again as administrator, and for several minutes, to identify the program.",
        ),
    ),
    "ended_25": (
        "warn",
        "unidentified_direct",
        (),
        "Something on this PC connected directly to 1 mail server on port 25, but it ended before we could see which program it was.",
        (
            "Watch the connections for several minutes: a program that keeps sending will be caught while its connection is open.",
        ),
    ),
    "unidentified_587": (
        "warn",
        "unidentified",
        (),
        "Something on this PC connected to a mail server (198.51.100.10:587); we could not see which program.",
        (
            "Watch the connections for several minutes: a program that keeps sending will be caught while its connection is open.",
        ),
    ),
    "none_watched": (
        "pass",
        "none_watched",
        (),
        "No program on this PC connected to a mail server during 21 November 2026, 05:00:00–05:15:00 (UTC+00:00).",
        (),
    ),
    "none_snapshot": (
        "pass",
        "none_snapshot",
        ("watch_bursts",),
        "No program on this PC was connected to a mail server at 21 November 2026, 05:00:00 (UTC+00:00).",
        (
            "One look can miss a program that sends in short bursts: watch the connections for several minutes to be sure.",
        ),
    ),
    "incomplete": (
        "unknown",
        "incomplete",
        ("run_admin",),
        "No mail connections were visible, but without administrator rights we could not see every program's connections.",
        ("Run Clearline as administrator to see every program's connections.",),
    ),
    "mixed": (
        "fail",
        "suspicious_location",
        (),
        "A program called svchost.exe in a hidden folder was sending mail directly to 2 mail servers.",
        (
            "Disconnect this PC from the internet (unplug the cable or turn off Wi-Fi) until it is cleaned, so that no more mail is sent from your line.",
            "Run a full scan with your antivirus (on Windows, the Microsoft Defender Offline scan) and remove what it finds. The program was: C:\\Users\\taro\\AppData\\Roaming\\Microsoft\\Network\\svchost.exe",
            "Afterwards, change your mail password from another device you trust.",
            "If the program comes back after the scan, back up your files and reinstall the operating system, or ask a professional for help.",
        ),
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_outbound_answer(name):
    result = SCENARIOS[name]()
    words = result.words("en")
    status, reason, codes, summary, advice = EXPECTED[name]
    assert (str(result.status), result.reason, result.advice_codes) == (status, reason, codes)
    assert words.summary == summary
    assert words.advice == advice


def test_the_most_serious_program_comes_first_with_its_facts():
    result = SCENARIOS["mixed"]()
    listed = result.facts["programs"]
    assert [p["name"] for p in listed] == ["svchost.exe", "thunderbird.exe"]
    assert [p["verdict"] for p in listed] == ["fail", "pass"]
    assert listed[0]["direct_servers"] == ["198.51.100.10", "198.51.100.11"]
    assert listed[0]["connection_count"] == 2 and listed[1]["connection_count"] == 1
    assert listed[0]["first_seen"] == T.isoformat()
    assert listed[0]["last_seen"] == (T + timedelta(seconds=2)).isoformat()
    assert result.status == Status.FAIL


def test_the_window_of_observation_is_recorded():
    watched = SCENARIOS["none_watched"]().facts["window"]
    assert watched == {
        "mode": "watch",
        "from": T.isoformat(),
        "to": (T + timedelta(minutes=15)).isoformat(),
        "polls": 900,
        "complete": True,
        "partial_reason": None,
        "ports": watched["ports"],
    }
    assert 25 in watched["ports"] and 587 in watched["ports"]
    snapshot = SCENARIOS["none_snapshot"]().facts["window"]
    assert snapshot["mode"] == "snapshot" and snapshot["polls"] == 1
    partial = SCENARIOS["incomplete"]().facts["window"]
    assert partial["complete"] is False and partial["partial_reason"] == "not administrator"


# SMTP-LISTEN


def listen(*listeners, complete=True):
    return interpret_listen(
        ListenerFacts(
            "windows", T, tuple(listeners), complete, None if complete else "not administrator"
        )
    )


PROXY = proc(6100, "winsvc.exe", r"C:\Users\taro\AppData\Local\Temp\winsvc.exe")
HMAIL = proc(2200, "hMailServer.exe", r"C:\Program Files (x86)\hMailServer\Bin\hMailServer.exe")
OTHER = proc(3300, "relay.exe", r"C:\Program Files\Relay\relay.exe")
LISTEN_SCENARIOS = {
    "malware listening": lambda: listen(Listener("0.0.0.0", 25, PROXY)),
    "mail server exposed": lambda: listen(Listener("0.0.0.0", 587, HMAIL)),
    "unknown program exposed": lambda: listen(Listener("::", 2525, OTHER)),
    "hidden owner exposed": lambda: listen(Listener("0.0.0.0", 465, None, "hidden")),
    "loopback only": lambda: listen(Listener("127.0.0.1", 25, HMAIL)),
    "other ports ignored": lambda: listen(Listener("0.0.0.0", 8080, OTHER)),
    "incomplete": lambda: listen(complete=False),
    "none": lambda: listen(),
    "mail server and malware": lambda: listen(
        Listener("0.0.0.0", 587, HMAIL), Listener("0.0.0.0", 25, PROXY)
    ),
}


LISTEN_EXPECTED = {
    "malware listening": (
        "fail",
        "suspicious_location",
        (),
        "A program called winsvc.exe in a hidden temporary folder is running a mail server that other machines can reach (port 25).",
        (
            "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan.",
        ),
    ),
    "mail server exposed": (
        "warn",
        "mail_server_exposed",
        (),
        "The mail server hMailServer is accepting connections from other machines on port 587. If it relays mail for anyone, spammers can use it.",
        (
            "If you do not need a mail server on this PC, turn hMailServer off. If you do, make sure it relays only for you and listens only where it must.",
        ),
    ),
    "unknown program exposed": (
        "fail",
        "unknown_program",
        (),
        "A program called relay.exe, which is not a known mail server, is accepting mail connections from other machines on port 2525.",
        (
            "If you do not recognise relay.exe (C:\\Program Files\\Relay\\relay.exe), end it and scan this PC with your antivirus.",
        ),
    ),
    "hidden owner exposed": (
        "warn",
        "unidentified",
        (),
        "Something is accepting mail connections from other machines on port 465; only an administrator can see which program.",
        ("Run Clearline as administrator to identify it.",),
    ),
    "loopback only": (
        "pass",
        "loopback_only",
        (),
        "A mail server runs on this PC but only for this PC itself (loopback).",
        (),
    ),
    "other ports ignored": ("pass", "none", (), "No mail server is listening on this PC.", ()),
    "incomplete": (
        "unknown",
        "incomplete",
        ("run_admin_listen",),
        "No mail server was visible, but without administrator rights we could not see every program's listening ports.",
        ("Run Clearline as administrator to see every program's listening ports.",),
    ),
    "none": ("pass", "none", (), "No mail server is listening on this PC.", ()),
    "mail server and malware": (
        "fail",
        "suspicious_location",
        (),
        "A program called winsvc.exe in a hidden temporary folder is running a mail server that other machines can reach (port 25).",
        (
            "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan.",
            "If you do not need a mail server on this PC, turn hMailServer off. If you do, make sure it relays only for you and listens only where it must.",
        ),
    ),
}


@pytest.mark.parametrize("name", list(LISTEN_SCENARIOS))
def test_listen_answer(name):
    result = LISTEN_SCENARIOS[name]()
    words = result.words("en")
    status, reason, codes, summary, advice = LISTEN_EXPECTED[name]
    assert (str(result.status), result.reason, result.advice_codes) == (status, reason, codes)
    assert words.summary == summary
    assert words.advice == advice


def test_listen_facts_name_every_listener_and_whether_others_can_reach_it():
    result = LISTEN_SCENARIOS["mail server and malware"]()
    listeners = result.facts["listeners"]
    assert [(x["address"], x["port"], x["exposed"], x["verdict"]) for x in listeners] == [
        ("0.0.0.0", 587, True, "warn"),
        ("0.0.0.0", 25, True, "fail"),
    ]
    assert [i.get("top") for i in result.params["items"]] == [None, True]
    loop = LISTEN_SCENARIOS["loopback only"]().facts["listeners"]
    assert loop[0]["exposed"] is False and loop[0]["verdict"] == "pass"
    assert LISTEN_SCENARIOS["other ports ignored"]().facts["listeners"] == []
    hidden = LISTEN_SCENARIOS["hidden owner exposed"]().facts["listeners"][0]
    assert hidden["owner_problem"] == "hidden"
    assert LISTEN_SCENARIOS["incomplete"]().facts["complete"] is False


# Words from stored findings: a case file written by an older version, or damaged, may lack a
# name, a program or a path. The words then say "…", never "None", and fall back sensibly.


def stored(check_id, reason, status, **params):
    from checks.model import Result

    return Result(check_id, Status(status), reason, params)


def test_outbound_words_from_a_stored_finding_without_names():
    bare = {"reason": "unknown_program", "destinations": ["198.51.100.7:587"]}
    r = stored("SMTP-OUT", "unknown_program", "warn", programs=[bare])
    words = r.words("en")
    assert words.summary == (
        "A program called …, which we do not know as a mail program, connected to a mail"
        " server (198.51.100.7:587)."
    )
    assert words.advice == (
        "If you do not recognise … (…), end it and scan this PC with your antivirus.",
    )
    named = {"reason": "client_unusual_place", "name": "tb.exe", "destinations": []}
    r = stored("SMTP-OUT", "client_unusual_place", "warn", programs=[named])
    assert r.words("en").advice == (
        "Make sure this is the real tb.exe: reinstall it from the official site. It runs from:"
        " tb.exe",
    )
    odd = {**named, "location": ["downloads"], "reason": "suspicious_location"}
    r = stored("SMTP-OUT", "suspicious_location", "fail", programs=[odd])
    assert "None" not in r.words("en").summary and "tb.exe" in r.words("en").summary
    r = stored("SMTP-OUT", "weird_reason", "warn", programs=[{"reason": "weird_reason"}])
    assert r.words("en").summary == "weird_reason"


def test_outbound_names_at_most_three_destinations():
    many = {
        "reason": "unknown_program",
        "name": "x.exe",
        "path": r"C:\x.exe",
        "destinations": [f"198.51.100.{i}:587" for i in range(1, 6)],
    }
    r = stored("SMTP-OUT", "unknown_program", "warn", programs=[many])
    assert "(198.51.100.1:587, 198.51.100.2:587, 198.51.100.3:587)" in r.words("en").summary
    program = proc(3100, "mailer.exe", r"C:\Program Files\Mailer\mailer.exe")
    result = watch(obs(program, 5, 587))
    assert result.params["programs"][0]["destinations"] == [
        f"198.51.100.{10 + i}:587" for i in range(3)
    ]
    assert len(result.facts["programs"][0]["destinations"]) == 5


def test_outbound_orders_equal_verdicts_by_servers_then_connections():
    a = proc(3101, "a.exe", r"C:\Program Files\A\a.exe")
    b = proc(3102, "b.exe", r"C:\Program Files\B\b.exe")
    c = proc(3103, "c.exe", r"C:\Program Files\C\c.exe")
    result = watch(obs(a, 1, 25) + obs(b, 3, 25) + obs(c, 2, 25))
    assert [p["name"] for p in result.facts["programs"]] == ["b.exe", "c.exe", "a.exe"]
    result = watch(obs(a, 1, 587) + obs(b, 3, 587) + obs(c, 2, 587))
    assert [p["name"] for p in result.facts["programs"]] == ["b.exe", "c.exe", "a.exe"]


def test_two_looks_are_a_watch_and_unowned_connections_keep_their_problem():
    assert watch([], polls=2).facts["window"]["mode"] == "watch"
    assert watch([], polls=2).reason == "none_watched"
    hidden = watch(obs(None, 1, 25, OWNER_HIDDEN) + obs(None, 1, 587, OWNER_ENDED))
    listed = hidden.facts["programs"]
    assert [(p["pid"], p["owner_problem"]) for p in listed] == [(None, "hidden"), (None, "ended")]
    assert [p["reason"] for p in listed] == ["unidentified_direct", "unidentified"]
    assert listed[0]["destinations"] == ["198.51.100.10:25"]
    assert len(listed[0]["connections"]) == 1 and "owner" not in listed[0]["connections"][0]


def test_a_known_mail_client_in_its_place_passes_with_its_reason():
    result = watch(obs(TB, 1, 587))
    assert result.facts["programs"][0]["reason"] == "mail_client"
    assert result.facts["programs"][0]["program"] == "Thunderbird"


def test_listen_words_from_a_stored_finding_without_names():
    item = {"reason": "unknown_program", "status": "fail", "port": 2525, "top": True}
    r = stored("SMTP-LISTEN", "unknown_program", "fail", items=[item])
    words = r.words("en")
    assert words.summary == (
        "A program called …, which is not a known mail server, is accepting mail connections"
        " from other machines on port 2525."
    )
    assert words.advice == (
        "If you do not recognise … (…), end it and scan this PC with your antivirus.",
    )
    server = {"reason": "mail_server_exposed", "status": "warn", "port": 25, "name": "exim4"}
    r = stored("SMTP-LISTEN", "mail_server_exposed", "warn", items=[server])
    assert r.words("en").summary.startswith("The mail server exim4 is accepting")
    odd = {
        "reason": "suspicious_location",
        "status": "fail",
        "port": 25,
        "name": "x",
        "location": ["temp"],
    }
    r = stored("SMTP-LISTEN", "suspicious_location", "fail", items=[server, odd])
    # No item marked as the top one: the first is shown; advice most serious first.
    assert r.words("en").summary.startswith("The mail server exim4")
    assert r.words("en").advice[0].startswith("Disconnect this PC")
    unworded = {"reason": "new_reason", "status": "warn", "port": 25, "top": True}
    r = stored("SMTP-LISTEN", "new_reason", "warn", items=[unworded])
    assert r.words("en").summary == "new_reason"
    r = stored("SMTP-LISTEN", "unknown_program", "warn", items=[{"reason": "x", "port": 1}])
    assert r.words("en").summary == "unknown_program" and r.words("en").advice == ()


def test_listen_keeps_the_first_of_equally_serious_listeners_on_top():
    other = proc(3300, "relay.exe", r"C:\Program Files\Relay\relay.exe")
    second = proc(3301, "relay2.exe", r"C:\Program Files\Relay\relay2.exe")
    result = listen(Listener("0.0.0.0", 25, other), Listener("0.0.0.0", 587, second))
    assert [i.get("top") for i in result.params["items"]] == [True, None]
    assert "relay.exe" in result.words("en").summary


def test_listen_facts_keep_time_and_completeness():
    result = listen(Listener("0.0.0.0", 25, HMAIL))
    assert result.facts["observed_at"] == T.isoformat()
    assert result.facts["partial_reason"] is None
    assert listen(complete=False).facts["partial_reason"] == "not administrator"
    assert result.facts["listeners"][0]["program"] == "hMailServer"
    loop = listen(Listener("127.0.0.1", 25, HMAIL)).facts["listeners"][0]
    assert loop["verdict"] == "pass" and loop["name"] == "hMailServer.exe"


@given(
    st.lists(
        st.tuples(
            st.sampled_from([BOT, UNKNOWN_PF, HMAIL, TB, TB_ODD]),
            st.sampled_from([25, 465, 587, 2525]),
        ),
        max_size=4,
    )
)
def test_a_watch_that_could_not_see_every_program_is_never_an_all_clear(seen):
    observations = [o for owner, port in seen for o in obs(owner, 1, port)]
    result = watch(observations, complete=False, reason="not administrator")
    assert result.status != Status.PASS
