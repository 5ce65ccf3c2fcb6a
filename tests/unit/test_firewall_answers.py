"""FW-STATUS: each situation gives exactly one status, reason, advice and set of words.

Written after mutation testing (docs/mutation.md) showed that half of the changes to
checks/firewall.py went unnoticed: the older tests looked at the status only, so a wrong reason
(and with it the words the user reads) or wrong advice passed."""

import json

import pytest

from checks import firewall
from checks.model import Status
from tests.recorded import DATA


def cmd(stdout="", returncode=0, stderr="", problem=None):
    return {"stdout": stdout, "returncode": returncode, "stderr": stderr, "problem": problem}


def answer(result):
    words = result.words("en")
    return result.status, result.reason, result.advice_codes, result.params, words.summary


UFW_DENY = "Status: active\n\nTo Action From\n--\nDefault: deny (incoming), allow (outgoing)\n"
UFW_ALLOW = "Status: active\nDefault: allow (incoming), allow (outgoing), disabled (routed)\n"
NEED_ROOT = "ERROR: You need to be root to run this script"
NFT_DROP = (
    "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter;"
    " policy drop;\n\t\tct state established accept\n\t}\n}\n"
)
NFT_ACCEPT = (
    "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0;\n\t}\n}\n"
)
NFT_REJECT_RULE = (
    "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0;"
    " policy accept;\n\t\ttcp dport 23 reject\n\t}\n}\n"
)
NFT_FORWARD_DROP = (
    "table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority 0;"
    " policy drop;\n\t}\n}\n"
)
TURN_ON = ("linux_turn_on",)

LINUX = [
    (
        "no tool",
        {"tools": {"ufw": None, "nft": None}},
        (
            Status.WARN,
            "linux_no_tool",
            TURN_ON,
            {},
            "No firewall software is installed (ufw, firewalld, nftables or iptables), so this"
            " system has no firewall rules.",
        ),
    ),
    (
        "ufw active, deny incoming",
        {"tools": {"ufw": "/usr/sbin/ufw"}, "ufw": cmd(UFW_DENY)},
        (Status.PASS, "ufw_active", (), {}, "The firewall (ufw) is active."),
    ),
    (
        "ufw active, allow incoming",
        {"tools": {"ufw": "/usr/sbin/ufw"}, "ufw": cmd(UFW_ALLOW)},
        (
            Status.WARN,
            "ufw_allows_incoming",
            ("ufw_deny_incoming",),
            {},
            "ufw is active but lets every incoming connection in.",
        ),
    ),
    (
        "ufw inactive, nothing else",
        {"tools": {"ufw": "/usr/sbin/ufw"}, "ufw": cmd("Status: inactive\n")},
        (
            Status.WARN,
            "linux_no_filter",
            TURN_ON,
            {},
            "No firewall rule filters incoming connections.",
        ),
    ),
    (
        "firewalld running",
        {"tools": {"firewall-cmd": "/usr/bin/firewall-cmd"}, "firewalld": cmd("running\n")},
        (Status.PASS, "firewalld_running", (), {}, "The firewall (firewalld) is running."),
    ),
    (
        "firewalld not running",
        {
            "tools": {"firewall-cmd": "/usr/bin/firewall-cmd"},
            "firewalld": cmd("not running\n", 252),
        },
        (
            Status.WARN,
            "linux_no_filter",
            TURN_ON,
            {},
            "No firewall rule filters incoming connections.",
        ),
    ),
    (
        "nft input policy drop",
        {"tools": {"nft": "/usr/sbin/nft"}, "nft": cmd(NFT_DROP)},
        (Status.PASS, "nft_filters", (), {}, "nftables rules filter incoming connections."),
    ),
    (
        "nft input with a reject rule",
        {"tools": {"nft": "/usr/sbin/nft"}, "nft": cmd(NFT_REJECT_RULE)},
        (Status.PASS, "nft_filters", (), {}, "nftables rules filter incoming connections."),
    ),
    (
        "nft input accepts all",
        {"tools": {"nft": "/usr/sbin/nft"}, "nft": cmd(NFT_ACCEPT)},
        (
            Status.WARN,
            "linux_no_filter",
            TURN_ON,
            {},
            "No firewall rule filters incoming connections.",
        ),
    ),
    (
        "nft drops only forwarded traffic",
        {"tools": {"nft": "/usr/sbin/nft"}, "nft": cmd(NFT_FORWARD_DROP)},
        (
            Status.WARN,
            "linux_no_filter",
            TURN_ON,
            {},
            "No firewall rule filters incoming connections.",
        ),
    ),
    (
        "nft failed without a denial",
        {"tools": {"nft": "/usr/sbin/nft"}, "nft": cmd(NFT_DROP, 1)},
        (
            Status.WARN,
            "linux_no_filter",
            TURN_ON,
            {},
            "No firewall rule filters incoming connections.",
        ),
    ),
    (
        "iptables input policy drop",
        {"tools": {"iptables": "/usr/sbin/iptables"}, "iptables": cmd("-P INPUT DROP\n")},
        (Status.PASS, "iptables_filters", (), {}, "iptables rules filter incoming connections."),
    ),
    (
        "iptables reject rule",
        {
            "tools": {"iptables": "/usr/sbin/iptables"},
            "iptables": cmd("-P INPUT ACCEPT\n-A INPUT -p tcp --dport 23 -j REJECT\n"),
        },
        (Status.PASS, "iptables_filters", (), {}, "iptables rules filter incoming connections."),
    ),
    (
        "iptables output drop only",
        {
            "tools": {"iptables": "/usr/sbin/iptables"},
            "iptables": cmd("-P INPUT ACCEPT\n-P OUTPUT DROP\n-A OUTPUT -j DROP\n"),
        },
        (
            Status.WARN,
            "linux_no_filter",
            TURN_ON,
            {},
            "No firewall rule filters incoming connections.",
        ),
    ),
    (
        "every tool needs root",
        {
            "tools": {
                "ufw": "/usr/sbin/ufw",
                "nft": "/usr/sbin/nft",
                "iptables": "/usr/sbin/iptables",
            },
            "ufw": cmd("", 1, NEED_ROOT),
            "nft": cmd("", 1, "Error: Operation not permitted"),
            "iptables": cmd("", 4, "iptables v1.8.9: Permission denied (you must be root)"),
        },
        (
            Status.UNKNOWN,
            "linux_needs_admin",
            ("rerun_admin",),
            {"tools": ["ufw", "nft", "iptables"]},
            "Reading the firewall rules needs administrator rights (ufw, nft, iptables).",
        ),
    ),
    (
        "denied by the runner",
        {"tools": {"nft": "/usr/sbin/nft"}, "nft": cmd("", None, "", "denied")},
        (
            Status.UNKNOWN,
            "linux_needs_admin",
            ("rerun_admin",),
            {"tools": ["nft"]},
            "Reading the firewall rules needs administrator rights (nft).",
        ),
    ),
    (
        "one tool denied, another filters",
        {
            "tools": {"nft": "/usr/sbin/nft", "iptables": "/usr/sbin/iptables"},
            "nft": cmd("", 1, "Operation not permitted"),
            "iptables": cmd("-P INPUT DROP\n"),
        },
        (Status.PASS, "iptables_filters", (), {}, "iptables rules filter incoming connections."),
    ),
]


@pytest.mark.parametrize(("facts", "expected"), [c[1:] for c in LINUX], ids=[c[0] for c in LINUX])
def test_linux_answers(facts, expected):
    result = firewall.interpret_linux(facts)
    assert answer(result) == expected
    assert result.facts["tools"] == sorted(k for k, v in facts["tools"].items() if v)


def test_linux_records_which_tools_needed_rights_and_ufw_default():
    r = firewall.interpret_linux(
        {
            "tools": {"ufw": "/usr/sbin/ufw", "nft": "/n"},
            "ufw": cmd("", 1, NEED_ROOT),
            "nft": cmd("", 1, "Permission denied"),
        }
    )
    assert r.facts["needs_admin_for"] == ["ufw", "nft"]
    assert (
        firewall.interpret_linux({"tools": {"ufw": "/usr/sbin/ufw"}, "ufw": cmd(UFW_ALLOW)}).facts[
            "ufw_default_incoming"
        ]
        == "allow"
    )
    assert (
        firewall.interpret_linux(
            {"tools": {"ufw": "/usr/sbin/ufw"}, "ufw": cmd("Status: active\n")}
        ).facts["ufw_default_incoming"]
        is None
    )


MACOS = [
    (
        "on, stealth",
        {
            "global": cmd("Firewall is enabled. (State = 1)\n"),
            "stealth": cmd("Firewall stealth mode is on\n"),
        },
        (Status.PASS, "macos_on", (), {}, "The macOS firewall is on."),
        {"state": 1, "stealth": False},
    ),
    (
        "blocking all",
        {
            "global": cmd(
                "Firewall is blocking all non-essential incoming connections. (State = 2)\n"
            ),
            "stealth": cmd("Stealth mode enabled\n"),
        },
        (Status.PASS, "macos_on", (), {}, "The macOS firewall is on."),
        {"state": 2, "stealth": True},
    ),
    (
        "off",
        {"global": cmd("Firewall is disabled. (State = 0)\n"), "stealth": cmd("")},
        (Status.WARN, "macos_off", ("macos_turn_on",), {}, "The macOS firewall is off."),
        {"state": 0, "stealth": False},
    ),
    (
        "tool missing",
        {"global": cmd(problem="missing"), "stealth": cmd()},
        (
            Status.UNKNOWN,
            "macos_unreadable",
            (),
            {},
            "We could not read the macOS firewall setting.",
        ),
        {},
    ),
    (
        "unexpected text",
        {"global": cmd("Firewall is enabled.\n"), "stealth": cmd()},
        (
            Status.UNKNOWN,
            "macos_unreadable",
            (),
            {},
            "We could not read the macOS firewall setting.",
        ),
        {},
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected", "kept"), [c[1:] for c in MACOS], ids=[c[0] for c in MACOS]
)
def test_macos_answers(facts, expected, kept):
    result = firewall.interpret_macos(facts)
    assert answer(result) == expected
    for key, value in kept.items():
        assert result.facts[key] == value


def windows(**changes):
    data = json.loads((DATA / "windows/host/win11_up_to_date.json").read_text(encoding="utf-8"))
    for name, (enabled, inbound) in changes.items():
        profile = next(p for p in data["firewall"] if p["name"] == name)
        profile["enabled"], profile["default_inbound"] = enabled, inbound
    return data


TURN_ON_WINDOWS = ("windows_turn_on",)
WINDOWS = [
    (
        "all on",
        windows(),
        (Status.PASS, "windows_on", (), {}, "Windows Firewall is on for every network type."),
    ),
    (
        "public off",
        windows(Public=("False", "NotConfigured")),
        (
            Status.FAIL,
            "windows_public_off",
            TURN_ON_WINDOWS,
            {"profiles": ["Public"]},
            "Windows Firewall is off for public networks (Public).",
        ),
    ),
    (
        "private and public off",
        windows(Private=("False", "NotConfigured"), Public=("False", "NotConfigured")),
        (
            Status.FAIL,
            "windows_public_off",
            TURN_ON_WINDOWS,
            {"profiles": ["Private", "Public"]},
            "Windows Firewall is off for public networks (Private, Public).",
        ),
    ),
    (
        "domain off",
        windows(Domain=("False", "NotConfigured")),
        (
            Status.WARN,
            "windows_partly_off",
            TURN_ON_WINDOWS,
            {"profiles": ["Domain"]},
            "Windows Firewall is not fully on: Domain.",
        ),
    ),
    (
        "private lets everything in",
        windows(Private=("True", "Allow")),
        (
            Status.WARN,
            "windows_partly_off",
            TURN_ON_WINDOWS,
            {"profiles": ["Private"]},
            "Windows Firewall is not fully on: Private.",
        ),
    ),
    (
        "blocking inbound is on",
        windows(Public=("True", "Block")),
        (Status.PASS, "windows_on", (), {}, "Windows Firewall is on for every network type."),
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected"), [c[1:] for c in WINDOWS], ids=[c[0] for c in WINDOWS]
)
def test_windows_answers(facts, expected):
    result = firewall.interpret_windows(facts)
    assert answer(result) == expected
    assert result.facts["profiles"] == facts["firewall"]


@pytest.mark.parametrize(
    ("products", "expected"),
    [
        (
            [{"name": "ESET Security", "product_state": 266256}],
            (
                Status.PASS,
                "third_party_on",
                (),
                {"names": ["ESET Security"]},
                "The firewall of ESET Security is on; it takes the place of Windows Firewall.",
            ),
        ),
        ([{"name": "ESET Security", "product_state": 262144}], "public off"),  # switched off
        ([{"name": "Windows Firewall", "product_state": 397568}], "public off"),
        ([], "public off"),
    ],
)
def test_a_firewall_of_another_maker_counts_only_when_on(products, expected):
    data = windows(
        Domain=("False", "NotConfigured"),
        Private=("False", "NotConfigured"),
        Public=("False", "NotConfigured"),
    )
    data["firewall_products"] = products
    result = firewall.interpret_windows(data)
    if expected == "public off":
        assert (result.status, result.reason) == (Status.FAIL, "windows_public_off")
        assert result.params == {"profiles": ["Domain", "Private", "Public"]}
    else:
        assert answer(result) == expected
        assert result.facts["products"] == ["ESET Security"]


def test_another_firewall_does_not_hide_an_all_on_windows_firewall():
    data = windows()
    data["firewall_products"] = [{"name": "ESET Security", "product_state": 266256}]
    assert firewall.interpret_windows(data).reason == "windows_on"


@pytest.mark.parametrize(
    "facts",
    [
        {"problem": "missing", "firewall": [{"name": "Public", "enabled": "True"}]},
        {"firewall": [], "errors": {"firewall": "CimException: access denied"}},
        {"detail": "PowerShell printed no report"},
    ],
)
def test_windows_unreadable(facts):
    result = firewall.interpret_windows(facts)
    assert answer(result) == (
        Status.UNKNOWN,
        "windows_unreadable",
        (),
        {},
        "We could not read the Windows Firewall settings.",
    )
    assert result.facts["error"] == (
        (facts.get("errors") or {}).get("firewall") or facts.get("detail")
    )
