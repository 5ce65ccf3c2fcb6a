"""Issue 34: every suspect in the household, ranked, with its clues — and never ruled out without
an observation of the claimed time."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import suspects as S
from cases.assessment import assess
from checks.model import Result, Status
from tests.cases import JST, T0, _stamp, build

statuses = st.sampled_from([None, "pass", "warn", "fail", "unknown"])
facts = st.builds(
    S.Facts,
    pc_sent=st.sampled_from([None, "warn", "fail"]),
    pc_program=st.sampled_from(["", "svchost.exe"]),
    line_sent=st.sampled_from([None, "warn", "fail"]),
    line_host=st.sampled_from(["", "192.168.1.23"]),
    pc_off_at_claim=st.booleans(),
    journal_clean_at_claim=st.booleans(),
    journal_mail_at_claim=st.sampled_from([0, 0, 40]),
    journal_partial_clean=st.booleans(),
    clean_watch=st.sampled_from(["", "2026-11-21T05:00:00+00:00"]),
    line_clean_at_claim=st.booleans(),
    notice_verdict=st.sampled_from([None, "direct", "account", "forged", "unknown"]),
    notice_code=st.sampled_from(["", "account", "account_from_line", "direct_this_line"]),
    authbl=st.booleans(),
    notice_says_account=st.booleans(),
    upnp=statuses,
    gateway=statuses,
    devices=st.sampled_from([None, 0, 3]),
    dns_unplaced=st.sampled_from(["", "203.0.113.53"]),
    proxyware=st.sampled_from(["", "Hola VPN"]),
    notice_bot=st.booleans(),
    notice_iot_bot=st.sampled_from(["", "", "Mirai"]),
)


@given(facts)
def test_a_suspect_is_ruled_out_only_by_a_clue_that_covers_the_claimed_time(f):
    for s in S.rank(f):
        if s.standing == S.RULED_OUT:
            assert any(c.covers for c in s.clues_against), s


@given(facts)
def test_what_is_seen_today_never_rules_anything_out(f):
    """Drop every clue that speaks for the claimed time: nothing may be ruled out any more."""
    today_only = replace(
        f,
        pc_off_at_claim=False,
        journal_clean_at_claim=False,
        line_clean_at_claim=False,
        notice_verdict=None,
        notice_bot=False,  # what the notice reports is about the claimed time too
    )
    assert all(s.standing != S.RULED_OUT for s in S.rank(today_only))


@given(facts)
def test_a_strong_clue_makes_a_suspect_likely_whatever_speaks_against_it(f):
    for s in S.rank(f):
        if any(c.strong for c in s.clues_for):
            assert s.standing == S.LIKELY


@given(facts)
def test_all_five_are_ranked_most_likely_first_and_the_open_ones_say_what_would_decide(f):
    ranked = S.rank(f)
    assert sorted(s.who for s in ranked) == sorted(S.SUSPECTS)
    order = [S.STANDINGS.index(s.standing) for s in ranked]
    assert order == sorted(order)
    for s in ranked:
        assert (s.decide is None) == (s.standing in (S.LIKELY, S.RULED_OUT)), s


@given(facts)
def test_a_bot_seen_on_this_pc_keeps_this_pc_likely_even_if_the_pc_was_off_then(f):
    ranked = {s.who: s for s in S.rank(replace(f, pc_sent="fail", pc_off_at_claim=True))}
    assert ranked[S.THIS_PC].standing == S.LIKELY


def standing(case, who):
    return {s.who: s for s in S.rank(S.facts_of(assess(case, JST)))}[who]


def first(case):
    return S.rank(S.facts_of(assess(case, JST)))[0]


def test_a_bot_on_this_pc_ranks_this_pc_first(tmp_path):
    top = first(build("infected", tmp_path))
    assert top.who == S.THIS_PC and top.standing == S.LIKELY
    assert top.clues_for[0].param("program") == "svchost.exe"


def test_the_pc_off_at_the_claimed_times_rules_it_out_and_raises_the_others(tmp_path):
    case = build("clean", tmp_path)
    pc = standing(case, S.THIS_PC)
    assert pc.standing == S.RULED_OUT
    assert [c.code for c in pc.clues_against if c.covers] == ["off_at_claimed_times"]
    # Nothing here decides between the rest: each says what would.
    for who in (S.OTHER_DEVICE, S.ROUTER, S.ACCOUNT):
        assert standing(case, who).standing in (S.UNKNOWN, S.POSSIBLE), who
        assert standing(case, who).decide


def test_a_stolen_password_ranks_the_account_first(tmp_path):
    top = first(build("account", tmp_path))
    assert top.who == S.ACCOUNT and top.standing == S.LIKELY


def test_authbl_alone_ranks_the_account_likely(tmp_path):
    case = build("clean", tmp_path)
    listed = Result(
        "NET-BLOCKLIST",
        Status.FAIL,
        "listed_infected",
        {"ip": "203.0.113.45", "names": []},
        (),
        {"zones": [{"zone": "zen.spamhaus.org", "verdict": "listed", "lists": ["AuthBL", "XBL"]}]},
    )
    case.add_results([_stamp(listed, T0)])
    assert standing(case, S.ACCOUNT).standing == S.LIKELY


def test_a_router_mapping_to_a_mail_port_ranks_the_router_likely(tmp_path):
    case = build("clean", tmp_path)
    mapping = Result("NET-UPNP", Status.FAIL, "mail_or_proxy_port", {"n": 1})
    case.add_results([_stamp(mapping, T0)])
    assert standing(case, S.ROUTER).standing == S.LIKELY


def test_a_forged_sender_ranks_not_this_line_first_and_rules_out_nothing_at_home(tmp_path):
    case = build("forged", tmp_path)
    top = first(case)
    assert top.who == S.NOT_THIS_LINE and top.standing == S.LIKELY


@pytest.mark.parametrize("kind", ["infected", "clean", "account", "forged", "suspicious"])
def test_every_built_case_ranks_all_five(tmp_path, kind):
    ranked = S.rank(S.facts_of(assess(build(kind, tmp_path), JST)))
    assert len(ranked) == 5


def test_the_line_sent_it_while_this_pc_was_off_so_another_device_comes_first():
    ranked = S.rank(S.Facts(notice_verdict="direct", pc_off_at_claim=True, devices=3))
    assert [s.who for s in ranked][:1] == [S.OTHER_DEVICE]
    assert ranked[0].standing == S.LIKELY
    by = {s.who: s for s in ranked}
    assert by[S.THIS_PC].standing == S.RULED_OUT
    assert by[S.ACCOUNT].standing == S.RULED_OUT  # it went straight from the line: no login
    assert by[S.NOT_THIS_LINE].standing == S.RULED_OUT
    assert by[S.ROUTER].standing == S.POSSIBLE


def test_another_device_seen_in_a_capture_of_the_line_is_likely():
    ranked = S.rank(S.Facts(line_sent="fail", line_host="192.168.1.23"))
    assert ranked[0].who == S.OTHER_DEVICE
    assert ranked[0].clues_for[0].param("host") == "192.168.1.23"


def test_an_unplaced_dns_server_makes_the_router_possible_not_likely(tmp_path):
    from checks import dns_server

    case = build("clean", tmp_path)
    case.add_results([_stamp(dns_server.interpret(["203.0.113.53"]), T0)])
    router = standing(case, S.ROUTER)
    assert router.standing == S.POSSIBLE
    assert router.clues_for[0].param("servers") == "203.0.113.53"


def _scenario(kind_of_case, tmp_path):
    """The five households of issue 34's 'done when', as cases."""
    from tests.cases import _notice

    if kind_of_case == "bot":
        return build("infected", tmp_path), S.THIS_PC
    if kind_of_case == "pc_off":
        return build("clean", tmp_path), None
    if kind_of_case == "password":
        return build("account", tmp_path), S.ACCOUNT
    case = build("clean", tmp_path)
    if kind_of_case == "router":
        mapping = Result("NET-UPNP", Status.FAIL, "mail_or_proxy_port", {"port": 25})
        case.add_results([_stamp(mapping, T0)])
        return case, S.ROUTER
    _notice(case, "direct_to_mx.eml")  # the line sent it; this PC was off (NOTICE-UPTIME)
    return case, S.OTHER_DEVICE


@pytest.mark.parametrize("scenario", ["bot", "pc_off", "password", "router", "other_device"])
def test_report_letter_and_window_words_rank_the_same_suspect_first(tmp_path, scenario):
    from reports import suspect_words
    from reports.report import letter_text, report_html
    from tests.cases import TODAY

    case, expected = _scenario(scenario, tmp_path)
    ranked = S.rank(S.facts_of(assess(case, JST)))
    by = {s.who: s for s in ranked}
    letter = letter_text(case, "en", JST, TODAY)
    section = letter.split("what I could and could not examine\n", 1)[1].split("\n\n", 1)[0]
    report = report_html(case, "en", JST, TODAY)
    names = [line.name for line in suspect_words.lines(ranked)]
    if expected is None:  # the PC off at the reported times: ruled out, and the letter says so
        assert by[S.THIS_PC].standing == S.RULED_OUT
        assert "- This PC: ruled out. This PC was off or asleep at every reported time." in section
        return
    assert ranked[0].who == expected and ranked[0].standing == S.LIKELY
    assert section.splitlines()[0].startswith(f"- {names[0]}: likely.")
    first_row = report.split("Who may have sent it", 1)[1]
    assert first_row.index(names[0]) < min(first_row.index(n) for n in names[1:])


def test_a_likely_suspect_says_what_to_do_and_the_account_advice_is_specific():
    from checks import i18n
    from reports import suspect_words

    token = i18n.use_language("en")
    try:
        lines = suspect_words.lines(S.rank(S.Facts(notice_verdict="account")))
    finally:
        i18n.reset_language(token)
    account = next(line for line in lines if line.who == S.ACCOUNT)
    assert account.standing == S.LIKELY
    for words in ("clean device", "login history", "sent folder", "anywhere else"):
        assert words in account.next
    for line in lines:
        assert line.next or line.standing == S.RULED_OUT, line


@given(facts)
def test_mail_the_journal_saw_at_the_claimed_times_never_clears_this_pc(f):
    """Port 25 is blocked for home lines: a bot with the stolen password sends through the
    submission port (587, 465). A journal that saw such connections then is no all-clear."""
    pc = next(s for s in S.rank(replace(f, journal_mail_at_claim=3)) if s.who == S.THIS_PC)
    assert "journal_clean_at_claimed_times" not in {c.code for c in pc.clues_against}
    assert "journal_saw_mail_submission" in {c.code for c in pc.clues_for}


@pytest.mark.parametrize(
    ("code", "seen", "elsewhere", "against"),
    [
        ("account", True, True, "headers_show_a_login_elsewhere"),
        # An address the line may have had then: not said to be elsewhere.
        ("account", True, False, "headers_show_a_login_maybe_from_this_line"),
        ("account_from_line", True, False, "headers_show_this_line"),
        # "from webmail (unknown)": not forged, and never said not to be this line.
        ("account", False, False, "headers_show_a_login_from_an_unseen_address"),
    ],
)
def test_a_login_from_elsewhere_is_not_said_to_have_come_through_this_line(
    code, seen, elsewhere, against
):
    facts = S.Facts(
        notice_verdict="account",
        notice_code=code,
        notice_login_seen=seen,
        notice_login_elsewhere=elsewhere,
    )
    ranked = S.rank(facts)
    forged = next(s for s in ranked if s.who == S.NOT_THIS_LINE)
    assert [c.code for c in forged.clues_against] == [against]
    assert forged.standing == S.RULED_OUT


def test_a_notice_that_says_the_account_was_used_ranks_the_account_first(tmp_path):
    """In words, without full headers: 「メールアカウント（ID・パスワード）が第三者に不正利用され」
    (issue 34). The account comes first, not a tie of unknowns led by this PC."""
    from app import flows
    from cases.store import Case

    case = Case(tmp_path / "case")
    text = (
        "山田 太郎 様\n\nお客様のメールアカウント（ID・パスワード）が第三者に不正利用され、"
        "2026年11月20日 14時05分頃、当社の送信サーバー（587番ポート）から迷惑メールが"
        "送信されたことを確認いたしました。\n受付番号：ABUSE-2026-1\n"
    )
    flows.read_notice(case, text.encode(), public_ip="203.0.113.45", zone=JST, power={"events": []})
    assert case.notice()["claim"]["account_used"] is True
    ranked = S.rank(S.facts_of(assess(case, JST)))
    assert ranked[0].who == S.ACCOUNT and ranked[0].standing == S.LIKELY
    codes = [c.code for c in ranked[0].clues_for]
    assert "provider_says_the_account_was_used" in codes


def test_a_notice_naming_an_iot_bot_ranks_the_homes_devices_above_this_pc(tmp_path):
    """Mirai, Mozi, Gafgyt infect cameras, routers, recorders and TV boxes, not Windows PCs: a
    notice that names one (issue 33's bot reports) puts another device and the router first,
    and says so against this PC without ruling it out."""
    from app import flows
    from cases.store import Case
    from tests.recorded import DATA

    case = Case(tmp_path / "case")
    raw = (DATA / "notices/notice_bot_ja.txt").read_bytes()
    flows.read_notice(case, raw, public_ip="203.0.113.45", zone=JST, power={"events": []})
    ranked = S.rank(S.facts_of(assess(case, JST)))
    top = [s.who for s in ranked[:2]]
    assert top == [S.OTHER_DEVICE, S.ROUTER] and ranked[0].standing == S.LIKELY
    pc = next(s for s in ranked if s.who == S.THIS_PC)
    assert "iot_bot_not_this_pc" in [c.code for c in pc.clues_against]
    assert pc.standing != S.RULED_OUT
    account = next(s for s in ranked if s.who == S.ACCOUNT)
    assert account.standing == S.RULED_OUT  # a bot's traffic, not mail sent with a password
