"""PROXY-OPEN: each kind of listener gives exactly one answer (status, reason, advice, words).

Written after mutation testing (docs/mutation.md). Scenarios are built inside the tests: mutmut
credits a function only to the tests that call it while they run."""

from datetime import UTC, datetime

import pytest

from checks.probes.listeners import Listener, ListenerFacts
from checks.probes.processes import ProcessInfo
from checks.proxy import interpret

T = datetime(2026, 11, 21, 5, 0, tzinfo=UTC)


def proc(pid, name, exe):
    return ProcessInfo(pid=pid, create_time=1763600000.0 + pid, name=name, exe=exe, exe_exists=True)


def facts(*listeners, admin=False, complete=True):
    return ListenerFacts(
        "windows", T, tuple(listeners), complete, None if complete else "not administrator", admin
    )


MALWARE = proc(6100, "svc.exe", r"C:\Users\taro\AppData\Local\Temp\svc.exe")
CCPROXY = proc(4400, "CCProxy.exe", r"C:\Program Files (x86)\CCProxy\CCProxy.exe")
WEB = proc(4500, "devserver.exe", r"C:\Program Files\Dev\devserver.exe")

SCENARIOS = {
    "malware on a SOCKS port": lambda: facts(Listener("0.0.0.0", 1080, MALWARE)),
    "malware on any port": lambda: facts(Listener("0.0.0.0", 40123, MALWARE)),
    "known proxy": lambda: facts(Listener("0.0.0.0", 8080, CCPROXY)),
    "program on a proxy port": lambda: facts(Listener("::", 8080, WEB)),
    "program on another port": lambda: facts(Listener("0.0.0.0", 443, WEB)),
    "proxy on loopback only": lambda: facts(Listener("127.0.0.1", 8080, CCPROXY)),
    "hidden owner on a proxy port": lambda: facts(Listener("0.0.0.0", 3128, None, "hidden")),
    "hidden owner elsewhere": lambda: facts(Listener("0.0.0.0", 5000, None, "hidden")),
    "hidden owners as administrator": lambda: facts(
        Listener("0.0.0.0", 5000, None, "not_found"),
        Listener("::", 5001, None, "not_found"),
        admin=True,
    ),
    "one hidden port on IPv4 and IPv6": lambda: facts(
        Listener("0.0.0.0", 5355, None, "not_found"),
        Listener("::", 5355, None, "not_found"),
        admin=True,
    ),
    "incomplete table": lambda: facts(complete=False),
    "nothing": lambda: facts(admin=True),
    "malware and a known proxy": lambda: facts(
        Listener("0.0.0.0", 8080, CCPROXY), Listener("0.0.0.0", 1080, MALWARE)
    ),
}


EXPECTED = {
    "malware on a SOCKS port": (
        "fail",
        "suspicious_location",
        ("disconnect_scan", "change_password"),
        {"name": "svc.exe", "port": 1080, "location": ["temp", "hidden"]},
        "A program called svc.exe in a hidden temporary folder accepts connections from other machines (port 1080): infected PCs are used this way to relay spam.",
        (
            "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan.",
            "Afterwards, change your mail password from another device you trust.",
        ),
    ),
    "malware on any port": (
        "fail",
        "suspicious_location",
        ("disconnect_scan", "change_password"),
        {"name": "svc.exe", "port": 40123, "location": ["temp", "hidden"]},
        "A program called svc.exe in a hidden temporary folder accepts connections from other machines (port 40123): infected PCs are used this way to relay spam.",
        (
            "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan.",
            "Afterwards, change your mail password from another device you trust.",
        ),
    ),
    "known proxy": (
        "warn",
        "known_proxy",
        ("restrict_proxy",),
        {
            "name": "CCProxy",
            "port": 8080,
            "location": [],
            "advice_params": {"restrict_proxy": {"name": "CCProxy"}},
        },
        "The proxy CCProxy accepts connections from other machines on port 8080; if anyone can use it, spam can be sent through your line.",
        (
            "If you do not need CCProxy to be reachable from other machines, turn it off or make it listen on this PC only (127.0.0.1).",
        ),
    ),
    "program on a proxy port": (
        "warn",
        "proxy_port",
        ("restrict_proxy",),
        {
            "name": "devserver.exe",
            "port": 8080,
            "location": [],
            "advice_params": {"restrict_proxy": {"name": "devserver.exe"}},
        },
        "A program called devserver.exe accepts connections from other machines on port 8080, a port proxies use.",
        (
            "If you do not need devserver.exe to be reachable from other machines, turn it off or make it listen on this PC only (127.0.0.1).",
        ),
    ),
    "program on another port": (
        "pass",
        "none_found",
        (),
        {},
        "No open proxy and no program listening from an unusual folder was found.",
        (),
    ),
    "proxy on loopback only": (
        "pass",
        "none_found",
        (),
        {},
        "No open proxy and no program listening from an unusual folder was found.",
        (),
    ),
    "hidden owner on a proxy port": (
        "warn",
        "unidentified_proxy_port",
        ("run_admin",),
        {"name": None, "port": 3128, "location": None},
        "Something accepts connections from other machines on port 3128, a port proxies use; only an administrator can see which program.",
        ("Run Clearline as administrator to see every listening program.",),
    ),
    "hidden owner elsewhere": (
        "unknown",
        "hidden_listeners_not_admin",
        ("run_admin",),
        {"n": 1},
        "1 program accepts connections from other machines and only an administrator can see which; among the others nothing looks like an open proxy.",
        ("Run Clearline as administrator to see every listening program.",),
    ),
    "hidden owners as administrator": (
        "unknown",
        "hidden_listeners",
        (),
        {"n": 2, "ports": "5000, 5001"},
        "No open proxy was found. 2 ports open to other machines (5000, 5001) could not be traced to a program, as with some of the system's own services; none of them is a port proxies use.",
        (),
    ),
    "one hidden port on IPv4 and IPv6": (
        "unknown",
        "hidden_listeners",
        (),
        {"n": 1, "ports": "5355"},
        "No open proxy was found. 1 port open to other machines (5355) could not be traced to a program, as with some of the system's own services; it is not a port proxies use.",
        (),
    ),
    "incomplete table": (
        "unknown",
        "incomplete",
        ("run_admin",),
        {},
        "Nothing looked like an open proxy, but without administrator rights we could not see every program's listening ports.",
        ("Run Clearline as administrator to see every listening program.",),
    ),
    "nothing": (
        "pass",
        "none_found",
        (),
        {},
        "No open proxy and no program listening from an unusual folder was found.",
        (),
    ),
    "malware and a known proxy": (
        "fail",
        "suspicious_location",
        ("disconnect_scan", "change_password", "restrict_proxy"),
        {
            "name": "svc.exe",
            "port": 1080,
            "location": ["temp", "hidden"],
            "advice_params": {"restrict_proxy": {"name": "CCProxy"}},
        },
        "A program called svc.exe in a hidden temporary folder accepts connections from other machines (port 1080): infected PCs are used this way to relay spam.",
        (
            "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan.",
            "Afterwards, change your mail password from another device you trust.",
            "If you do not need CCProxy to be reachable from other machines, turn it off or make it listen on this PC only (127.0.0.1).",
        ),
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_proxy_answer(name):
    result = interpret(SCENARIOS[name]())
    words = result.words("en")
    status, reason, codes, params, summary, advice = EXPECTED[name]
    assert (str(result.status), result.reason, result.advice_codes) == (status, reason, codes)
    assert result.params == params
    assert (words.summary, words.advice) == (summary, advice)


def test_facts_count_every_exposed_listener_and_name_the_unidentified():
    result = interpret(
        facts(
            Listener("0.0.0.0", 5000, None, "hidden"),
            Listener("127.0.0.1", 5001, None, "hidden"),
            Listener("0.0.0.0", 8080, WEB),
            Listener("0.0.0.0", 1080, MALWARE),
        )
    )
    f = result.facts
    assert f["observed_at"] == T.isoformat()
    assert (f["exposed_listeners"], f["unidentified_exposed_listeners"]) == (3, 1)
    assert f["unidentified"] == [{"address": "0.0.0.0", "port": 5000, "owner_problem": "hidden"}]
    assert [(x["port"], x["verdict"], x["reason"]) for x in f["findings"]] == [
        (1080, "fail", "suspicious_location"),
        (8080, "warn", "proxy_port"),
    ]
    assert f["findings"][0]["exe"] == MALWARE.exe and f["findings"][0]["address"] == "0.0.0.0"
    assert (f["complete"], f["partial_reason"]) == (True, None)
    partial = interpret(facts(complete=False)).facts
    assert (partial["complete"], partial["partial_reason"]) == (False, "not administrator")
    hidden_proxy = interpret(facts(Listener("0.0.0.0", 3128, None, "hidden"))).facts["findings"]
    assert hidden_proxy == [
        {
            "address": "0.0.0.0",
            "port": 3128,
            "owner_problem": "hidden",
            "verdict": "warn",
            "reason": "unidentified_proxy_port",
        }
    ]


def test_every_known_proxy_and_proxy_port_is_recognised():
    from checks.proxy import KNOWN_PROXIES, PROXY_PORTS

    for base, shown in KNOWN_PROXIES.items():
        owner = proc(4600, f"{base}.exe", rf"C:\Program Files\{shown}\{base}.exe")
        result = interpret(facts(Listener("0.0.0.0", 3128, owner)))
        assert (result.reason, result.params["name"]) == ("known_proxy", shown), base
    for port in PROXY_PORTS:
        assert interpret(facts(Listener("0.0.0.0", port, WEB))).reason == "proxy_port", port
    for port in (25, 80, 443, 1079, 3127, 8081, 9051):
        assert interpret(facts(Listener("0.0.0.0", port, WEB))).reason == "none_found", port
