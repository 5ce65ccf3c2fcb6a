"""SMTP-LISTEN and PROXY-OPEN on recorded listener tables."""

from datetime import UTC, datetime

from checks import proxy
from checks.model import Status
from checks.probes.listeners import Listener, ListenerFacts
from checks.smtp import interpret_listen
from tests.recorded import load, process_from_record

T0 = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)


def recorded(name: str) -> ListenerFacts:
    rec = load(name)
    items = []
    for entry in rec["listeners"]:
        pid = entry["pid"]
        owner = process_from_record(pid, rec["processes"][str(pid)]) if pid is not None else None
        items.append(
            Listener(entry["laddr"][0], entry["laddr"][1], owner, entry.get("owner_problem"))
        )
    return ListenerFacts(rec["platform"], T0, tuple(items), True, None, rec["admin"])


def test_windows_proxy_malware_in_temp_fails():
    result = proxy.interpret(recorded("windows/listeners_proxy_malware.json"))
    assert result.status == Status.FAIL
    top = result.facts["findings"][0]
    assert (top["name"], top["port"], top["reason"]) == ("wupdsvc.exe", 1080, "suspicious_location")
    assert "a hidden temporary folder" in result.summary
    # Tor Browser on loopback and Windows' own services are not findings.
    assert {f["name"] for f in result.facts["findings"]} == {"wupdsvc.exe"}


def test_windows_hmailserver_open_to_the_network_warns():
    result = interpret_listen(recorded("windows/listeners_proxy_malware.json"))
    assert result.status == Status.WARN
    assert "hMailServer" in result.summary
    assert result.facts["listeners"][0]["exposed"] is True


def test_linux_user_view_squid_warns_and_hidden_owners_are_said():
    facts = recorded("linux/listeners_user.json")
    result = proxy.interpret(facts)
    assert result.status == Status.WARN
    assert result.facts["findings"][0]["reason"] == "known_proxy"
    assert result.facts["unidentified_exposed_listeners"] == 1  # sshd's :22, owner hidden
    assert any("administrator" in a for a in result.advice)
    listen = interpret_listen(facts)
    assert listen.status == Status.PASS  # exim on 127.0.0.1:25 serves this PC only
    assert listen.facts["listeners"][0]["owner_problem"] == "hidden"


def test_only_hidden_exposed_listeners_is_unknown_never_pass():
    facts = ListenerFacts(
        "linux", T0, (Listener("0.0.0.0", 22, None, "hidden"),), True, None, False
    )
    assert proxy.interpret(facts).status == Status.UNKNOWN


def test_unknown_program_serving_smtp_to_the_network_fails():
    owner = process_from_record(77, {"name": "perl", "exe": "/usr/bin/perl", "create_time": 1.0})
    facts = ListenerFacts("linux", T0, (Listener("0.0.0.0", 25, owner),), True, None, True)
    assert interpret_listen(facts).status == Status.FAIL


def test_nothing_listening():
    facts = ListenerFacts("linux", T0, (), True, None, True)
    assert interpret_listen(facts).status == Status.PASS
    assert proxy.interpret(facts).status == Status.PASS
    partial = ListenerFacts("macos", T0, (), False, "needs admin", False)
    assert interpret_listen(partial).status == Status.UNKNOWN
    assert proxy.interpret(partial).status == Status.UNKNOWN
