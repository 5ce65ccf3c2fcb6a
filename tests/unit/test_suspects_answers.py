"""cases/suspects.py, one exact answer per fact: which clue each fact gives to which suspect
(strong, covering or plain, with its params), and what facts_of reads from an assessment.

Written after mutation testing (docs/mutation.md): the properties in test_suspects.py (nothing
ruled out without a clue that covers the claimed time, a strong clue makes a suspect likely)
held while a clue went to the wrong suspect or lost its params; here each one is pinned.
Scenarios are built inside the tests (mutmut credits a function only to the tests that call it
while they run)."""

from __future__ import annotations

import pytest

from cases import suspects as S
from checks.model import Result, Status


def clues(f: S.Facts) -> dict[str, tuple[list[tuple], list[tuple], str | None, str]]:
    """who -> (clues for, clues against, what would decide it, standing); a clue as (code,
    params, strong, covers)."""

    def c(clue: S.Clue) -> tuple:
        return (clue.code, clue.params, clue.strong, clue.covers)

    return {
        s.who: ([c(x) for x in s.clues_for], [c(x) for x in s.clues_against], s.decide, s.standing)
        for s in S.rank(f)
    }


NONE: tuple = ()
SCENARIOS = {
    "nothing known": (
        S.Facts(),
        {
            S.THIS_PC: ([], [], "keep_the_journal_running", S.UNKNOWN),
            S.OTHER_DEVICE: ([], [], "look_at_the_other_devices", S.UNKNOWN),
            S.ROUTER: ([], [], "look_at_the_router", S.UNKNOWN),
            S.ACCOUNT: ([], [], "ask_for_the_accounts_sending_log", S.UNKNOWN),
            S.NOT_THIS_LINE: ([], [], "ask_for_the_full_headers", S.UNKNOWN),
        },
    ),
    "a bot on this PC, seen by the journal too": (
        S.Facts(pc_sent="fail", pc_program="svc.exe", journal_mail_at_claim=3, clean_watch="t"),
        {
            S.THIS_PC: (
                [
                    ("sent_from_this_pc", (("program", "svc.exe"),), True, False),
                    ("journal_saw_mail_submission", (("n", 3),), False, False),
                ],
                [],
                None,
                S.LIKELY,
            ),
            S.NOT_THIS_LINE: (
                [],
                [("sending_seen_at_home", NONE, False, False)],
                "ask_for_the_full_headers",
                S.UNLIKELY,
            ),
        },
    ),
    "mail traffic here and proxyware": (
        S.Facts(pc_sent="warn", pc_program="x", proxyware="Hola VPN"),
        {
            S.THIS_PC: (
                [
                    ("mail_traffic_on_this_pc", (("program", "x"),), False, False),
                    ("proxyware_on_this_pc", (("names", "Hola VPN"),), True, False),
                ],
                [],
                None,
                S.LIKELY,
            ),
        },
    ),
    "this PC off, the line sent it": (
        S.Facts(pc_off_at_claim=True, notice_verdict="direct", devices=2),
        {
            S.THIS_PC: ([], [("off_at_claimed_times", NONE, False, True)], None, S.RULED_OUT),
            S.OTHER_DEVICE: (
                [
                    ("line_sent_but_not_this_pc", NONE, True, False),
                    ("other_devices_present", (("n", 2),), False, False),
                ],
                [],
                None,
                S.LIKELY,
            ),
            S.ROUTER: (
                [("line_sent_but_not_this_pc", NONE, False, False)],
                [],
                "look_at_the_router",
                S.POSSIBLE,
            ),
            S.ACCOUNT: (
                [],
                [("sent_directly_not_through_an_account", NONE, False, True)],
                None,
                S.RULED_OUT,
            ),
            S.NOT_THIS_LINE: (
                [],
                [("headers_show_this_line", NONE, False, True)],
                None,
                S.RULED_OUT,
            ),
        },
    ),
    "the line sent it, this PC not ruled out": (
        S.Facts(notice_verdict="direct"),
        {
            S.OTHER_DEVICE: (
                [("line_sent_it", NONE, False, False)],
                [],
                "look_at_the_other_devices",
                S.POSSIBLE,
            ),
            S.ROUTER: ([], [], "look_at_the_router", S.UNKNOWN),
        },
    ),
    "the journal clean at the claimed times": (
        S.Facts(journal_clean_at_claim=True, clean_watch="2026-11-21T05:00:00+00:00"),
        {
            S.THIS_PC: (
                [],
                [
                    ("journal_clean_at_claimed_times", NONE, False, True),
                    ("clean_watch_since", (("when", "2026-11-21T05:00:00+00:00"),), False, False),
                ],
                None,
                S.RULED_OUT,
            ),
        },
    ),
    "the journal ran by polling": (
        S.Facts(journal_partial_clean=True),
        {
            S.THIS_PC: (
                [],
                [("journal_partly_clean_at_claimed_times", NONE, False, False)],
                "keep_the_journal_running",
                S.UNLIKELY,
            ),
        },
    ),
    "another host sending, a clean capture of the line": (
        S.Facts(line_sent="fail", line_host="192.168.1.23", line_clean_at_claim=True),
        {
            S.OTHER_DEVICE: (
                [("seen_sending_on_the_line", (("host", "192.168.1.23"),), True, False)],
                [("line_capture_clean_at_claimed_times", NONE, False, True)],
                None,
                S.LIKELY,
            ),
            S.NOT_THIS_LINE: (
                [],
                [("sending_seen_at_home", NONE, False, False)],
                "ask_for_the_full_headers",
                S.UNLIKELY,
            ),
        },
    ),
    "another host's mail traffic": (
        S.Facts(line_sent="warn", line_host="192.168.1.23"),
        {
            S.OTHER_DEVICE: (
                [("mail_traffic_on_the_line", (("host", "192.168.1.23"),), False, False)],
                [],
                "look_at_the_other_devices",
                S.POSSIBLE,
            ),
        },
    ),
    "the router forwards a mail port and its admin is open": (
        S.Facts(upnp="fail", gateway="fail", dns_unplaced="203.0.113.53"),
        {
            S.ROUTER: (
                [
                    ("upnp_maps_a_mail_or_proxy_port", NONE, True, False),
                    ("router_admin_open", NONE, True, False),
                    ("dns_server_unplaced", (("servers", "203.0.113.53"),), False, False),
                ],
                [],
                None,
                S.LIKELY,
            ),
        },
    ),
    "the router with an unexplained mapping and management open": (
        S.Facts(upnp="warn", gateway="warn"),
        {
            S.ROUTER: (
                [
                    ("upnp_unexplained_mapping", NONE, False, False),
                    ("router_management_open", NONE, False, False),
                ],
                [],
                "look_at_the_router",
                S.POSSIBLE,
            ),
        },
    ),
    "the router checked from inside": (
        S.Facts(upnp="pass"),
        {
            S.ROUTER: (
                [],
                [("router_checked_from_inside", NONE, False, False)],
                "look_at_the_router",
                S.UNLIKELY,
            ),
        },
    ),
    "the router checked, its gateway too": (
        S.Facts(upnp="pass", gateway="pass"),
        {
            S.ROUTER: (
                [],
                [("router_checked_from_inside", NONE, False, False)],
                "look_at_the_router",
                S.UNLIKELY,
            )
        },
    ),
    "the router's gateway unknown": (
        S.Facts(upnp="pass", gateway="unknown"),
        {S.ROUTER: ([], [], "look_at_the_router", S.UNKNOWN)},
    ),
    "a login in the headers, AuthBL, the notice's words": (
        S.Facts(
            notice_verdict="account",
            notice_login_seen=True,
            notice_login_elsewhere=True,
            authbl=True,
            notice_says_account=True,
        ),
        {
            S.ACCOUNT: (
                [
                    ("notice_shows_a_login", NONE, True, False),
                    ("listed_on_authbl", NONE, True, False),
                    ("provider_says_the_account_was_used", NONE, True, False),
                ],
                [],
                None,
                S.LIKELY,
            ),
            S.NOT_THIS_LINE: (
                [],
                [("headers_show_a_login_elsewhere", NONE, False, True)],
                None,
                S.RULED_OUT,
            ),
        },
    ),
    "a login from an address that may have been this line's": (
        S.Facts(notice_verdict="account", notice_login_seen=True),
        {
            S.NOT_THIS_LINE: (
                [],
                [("headers_show_a_login_maybe_from_this_line", NONE, False, True)],
                None,
                S.RULED_OUT,
            ),
        },
    ),
    "a login from this line": (
        S.Facts(notice_verdict="account", notice_code="account_from_line"),
        {
            S.NOT_THIS_LINE: (
                [],
                [("headers_show_this_line", NONE, False, True)],
                None,
                S.RULED_OUT,
            ),
        },
    ),
    "forged": (
        S.Facts(notice_verdict="forged"),
        {
            S.NOT_THIS_LINE: (
                [("headers_show_another_origin", NONE, True, False)],
                [],
                None,
                S.LIKELY,
            ),
        },
    ),
    "a bot report of an IoT family": (
        S.Facts(notice_bot=True, notice_iot_bot="Mirai"),
        {
            S.THIS_PC: (
                [],
                [("iot_bot_not_this_pc", (("family", "Mirai"),), False, False)],
                "keep_the_journal_running",
                S.UNLIKELY,
            ),
            S.OTHER_DEVICE: (
                [("notice_names_an_iot_bot", (("family", "Mirai"),), True, False)],
                [],
                None,
                S.LIKELY,
            ),
            S.ROUTER: (
                [("notice_names_an_iot_bot_router", (("family", "Mirai"),), True, False)],
                [],
                None,
                S.LIKELY,
            ),
            S.ACCOUNT: (
                [],
                [("notice_reports_a_bot_not_mail", NONE, False, True)],
                None,
                S.RULED_OUT,
            ),
            S.NOT_THIS_LINE: ([], [], "ask_for_the_source_port", S.UNKNOWN),
        },
    ),
    "a bot report with AuthBL too": (
        S.Facts(notice_bot=True, authbl=True),
        {
            S.ACCOUNT: ([("listed_on_authbl", NONE, True, False)], [], None, S.LIKELY),
        },
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_fact_gives_its_clue_to_its_suspect(name):
    facts, expected = SCENARIOS[name]
    got = clues(facts)
    for who, answer in expected.items():
        assert got[who] == answer, who


def test_most_likely_first_ties_in_the_catalogue_order():
    ranked = S.rank(S.Facts(notice_bot=True, notice_iot_bot="Mirai"))
    assert [s.who for s in ranked] == [
        S.OTHER_DEVICE,
        S.ROUTER,
        S.NOT_THIS_LINE,
        S.THIS_PC,
        S.ACCOUNT,
    ]
    assert S.Clue("x", (("a", 1),)).param("a") == 1
    assert S.Clue("x").param("a", "none") == "none"


def _assessment(tmp_path, results: list[Result]):
    from cases.assessment import assess
    from cases.store import Case
    from tests.cases import JST

    case = Case(tmp_path / "case")
    case.add_results(results)
    return assess(case, JST)


def test_facts_are_read_from_every_check_that_bears_on_a_suspect(tmp_path):
    a = _assessment(
        tmp_path,
        [
            Result("NET-UPNP", Status.FAIL, "mail_port_mapped"),
            Result("NET-GATEWAY", Status.WARN, "management_open"),
            Result("NET-DEVICES", Status.PASS, "devices_seen", {"n": 3}),
            Result("NET-DNS", Status.UNKNOWN, "unknown_public", {"servers": "203.0.113.53"}),
            Result("PROXYWARE", Status.FAIL, "found", {"names": "Hola VPN"}),
            Result("NET-BLOCKLIST", Status.FAIL, "listed_authbl"),
        ],
    )
    f = S.facts_of(a)
    assert (f.upnp, f.gateway, f.devices) == ("fail", "warn", 3)
    assert (f.dns_unplaced, f.proxyware, f.authbl) == ("203.0.113.53", "Hola VPN", True)
    assert (f.notice_verdict, f.notice_code, f.notice_bot, f.notice_iot_bot) == (
        None,
        "",
        False,
        "",
    )
    assert (f.pc_sent, f.line_sent, f.pc_off_at_claim) == (None, None, False)
    assert (f.journal_clean_at_claim, f.journal_mail_at_claim, f.journal_partial_clean) == (
        False,
        0,
        False,
    )


def test_what_does_not_bear_on_a_suspect_is_not_read(tmp_path):
    a = _assessment(
        tmp_path,
        [
            Result("NET-DNS", Status.PASS, "router", {"servers": "192.168.1.1"}),
            Result("PROXYWARE", Status.PASS, "none", {"names": "x"}),
            Result("NET-DEVICES", Status.PASS, "devices_seen", {"n": "many"}),
        ],
    )
    f = S.facts_of(a)
    assert (f.dns_unplaced, f.proxyware, f.devices, f.upnp, f.gateway) == ("", "", None, None, None)


@pytest.mark.parametrize(
    ("status", "reason", "zones", "listed"),
    [
        (Status.FAIL, "listed_authbl", None, True),
        (Status.FAIL, "listed_xbl", [{"verdict": "listed", "lists": ["XBL", "AuthBL"]}], True),
        (Status.FAIL, "listed_xbl", [{"verdict": "listed", "lists": ["XBL"]}], False),
        (Status.FAIL, "listed_xbl", [{"verdict": "clean", "lists": ["AuthBL"]}], False),
        (Status.FAIL, "listed_xbl", "junk", False),
        (Status.FAIL, "listed_xbl", ["junk"], False),
        (Status.WARN, "listed_authbl", None, False),
    ],
)
def test_authbl_alone_or_beside_xbl(status, reason, zones, listed):
    facts = {"zones": zones} if zones is not None else {}
    result = Result("NET-BLOCKLIST", status, reason, facts=facts)
    assert S._on_authbl(result) is listed
    assert S._on_authbl(None) is False
