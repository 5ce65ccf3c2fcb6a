"""The assessment and the letters built on it agree with the evidence: the scenarios that made
the first round's letter contradict its own report, each in Japanese and English."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from cases import assessment as A
from cases.store import Case
from checks import i18n, traffic
from checks.model import Result, Status
from checks.probes.mail_connections import OWNER_ENDED, Observation, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.smtp import interpret_outbound
from reports.report import letter_text, report_html
from tests.cases import JST, T0, TODAY, _host_results, _stamp, bot_watch, clean_watch

NO_SIGN = {"ja": "形跡は見つかっておりません", "en": "found no sign"}
REMOVED = {
    "ja": ("対策は完了", "駆除と対策後の確認は済んで"),
    "en": ("has been removed and a check afterwards", "The infection has been removed"),
}
LANGS = ("ja", "en")


def imported_bot_capture(servers: int = 17) -> list[Result]:
    """What `analyze` makes of a router-side capture in which one host sends to many MX."""
    summary = {
        "first": "2026-11-21T05:00:00+00:00",
        "last": "2026-11-21T05:04:00+00:00",
        "smtp_syn_total": servers,
        "smtp_sessions_completed": servers,
        "smtp_refused": 0,
        "mx_queries_total": 0,
        "mx_distinct": 0,
        "mx_names": [],
        "destinations": [{"ip": f"198.51.100.{i}", "port": 25} for i in range(servers)],
        "programs": [
            {
                "program": None,
                "flows": servers,
                "ports": [25],
                "destinations": [f"198.51.100.{i}" for i in range(servers)],
                "first": "2026-11-21T05:00:00+00:00",
                "last": "2026-11-21T05:04:00+00:00",
                "mx_queries": 0,
            }
        ],
    }
    return [_stamp(r, T0) for r in traffic.interpret(summary, "linux", False, "router.pcap")]


def unidentified_watch(start: datetime, servers: int = 5) -> Result:
    observations = [
        Observation(
            "192.168.10.23",
            52000 + i,
            f"203.0.113.{20 + i}",
            25,
            start + timedelta(seconds=i),
            start + timedelta(seconds=i),
            ["SYN_SENT"],
            None,
            OWNER_ENDED,
        )
        for i in range(servers)
    ]
    facts = WatchFacts(
        "windows", start, start + timedelta(minutes=10), 6000, observations, True, None, True
    )
    return _stamp(interpret_outbound(facts), start, 600000)


def make_case(tmp_path, name, results, steps=(), details=None) -> Case:
    case = Case(tmp_path / name)
    with case.update() as u:
        u.set_details(name="Taro Yamada", contract_id="EX-1", provider="Example Net")
        if details:
            u.set_details(**details)
        u.add_results([*_host_results(T0), *results])
        for step, when in steps:
            u.mark_done(step, when)
    return case


@pytest.mark.parametrize("lang", LANGS)
def test_an_imported_capture_full_of_bot_traffic_is_never_no_sign(tmp_path, lang):
    case = make_case(tmp_path, "capture", [clean_watch(T0), *imported_bot_capture(17)])
    a = A.assess(case, JST)
    assert a.kind == A.INFECTED and a.origin == A.LINE and not a.nothing_found
    assert a.primary.servers == 17 and a.primary.where == A.LINE
    text = letter_text(case, lang, JST, TODAY)
    assert NO_SIGN[lang] not in text
    assert ("17か所" in text) if lang == "ja" else ("17 external mail servers" in text)
    # A capture from the line names a device on the line, never a program on this PC.
    assert ("当回線に接続している" in text) if lang == "ja" else ("a device on my line" in text)
    assert "svchost" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_an_unidentified_sender_is_suspicious_not_clean(tmp_path, lang):
    case = make_case(tmp_path, "warn", [unidentified_watch(T0)])
    a = A.assess(case, JST)
    assert a.kind == A.SUSPICIOUS and not a.nothing_found and a.ongoing
    text = letter_text(case, lang, JST, TODAY)
    assert NO_SIGN[lang] not in text
    assert ("まだ特定できておりません" in text) if lang == "ja" else ("not yet identified" in text)
    assert ("5か所" in text) if lang == "ja" else ("5 external mail servers" in text)


@pytest.mark.parametrize("lang", LANGS)
def test_only_disconnecting_is_not_a_removal(tmp_path, lang):
    case = make_case(
        tmp_path,
        "disconnect",
        [bot_watch(T0), clean_watch(T0 + timedelta(hours=2), minutes=30)],
        steps=[("disconnect", "2026-11-21T14:30:00+09:00")],
    )
    a = A.assess(case, JST)
    assert a.kind == A.INFECTED and not a.removal_recorded and not a.removed
    text = letter_text(case, lang, JST, TODAY)
    for claim in REMOVED[lang]:
        assert claim not in text
    assert ("対策を進めて" in text) if lang == "ja" else ("I am working on fixing this" in text)


def test_a_removal_needs_a_clean_watch_of_some_minutes_after_it(tmp_path):
    removal = [("removal", "2026-11-21T15:00:00+09:00")]
    short = make_case(
        tmp_path, "short", [bot_watch(T0), clean_watch(T0 + timedelta(hours=2), minutes=2)], removal
    )
    assert A.assess(short, JST).removal_recorded and not A.assess(short, JST).removed
    before = make_case(
        tmp_path,
        "before",
        [bot_watch(T0), clean_watch(T0 + timedelta(minutes=20), minutes=30)],
        removal,
    )
    assert not A.assess(before, JST).removed  # the watch ran before the removal
    good = make_case(
        tmp_path, "good", [bot_watch(T0), clean_watch(T0 + timedelta(hours=2), minutes=30)], removal
    )
    a = A.assess(good, JST)
    assert a.removed and a.ongoing is False and a.clean_after_fix.length == timedelta(minutes=30)
    assert "駆除と対策後の確認は済んで" in letter_text(good, "ja", JST, TODAY)


def test_a_bare_date_counts_as_the_end_of_that_day(tmp_path):
    """'removal=2026-11-21' may have been at 23:00: a watch at 20:00 that day proves nothing."""
    case = make_case(
        tmp_path,
        "date",
        [bot_watch(T0), clean_watch(T0 + timedelta(hours=6), minutes=30)],
        [("removal", "2026-11-21")],
    )
    assert not A.assess(case, JST).removed


def test_sending_again_after_the_fix_is_ongoing(tmp_path):
    case = make_case(
        tmp_path,
        "again",
        [bot_watch(T0), bot_watch(T0 + timedelta(hours=3))],
        [("removal", "2026-11-21T15:00:00+09:00")],
    )
    a = A.assess(case, JST)
    assert a.ongoing is True and not a.removed
    assert "対策後にも同様の通信" in letter_text(case, "ja", JST, TODAY)


def test_the_letter_names_the_worst_and_newest_program(tmp_path):
    old = bot_watch(T0)
    newer_facts = WatchFacts(
        "windows",
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=1, minutes=5),
        3000,
        [
            Observation(
                "192.168.10.23",
                53000 + i,
                f"192.0.2.{i}",
                25,
                T0 + timedelta(hours=1, seconds=i),
                T0 + timedelta(hours=1, seconds=i),
                ["ESTABLISHED"],
                ProcessInfo(
                    pid=9100,
                    create_time=1763700000.0,
                    name="updater.exe",
                    exe="C:\\Users\\taro\\AppData\\Local\\Temp\\updater.exe",
                    exe_exists=True,
                    user="taro",
                ),
            )
            for i in range(9)
        ],
        True,
        None,
        True,
    )
    newer = _stamp(interpret_outbound(newer_facts), T0 + timedelta(hours=1))
    case = make_case(tmp_path, "two", [old, newer])
    a = A.assess(case, JST)
    assert [s.program for s in a.sightings[:2]] == ["updater.exe", "svchost.exe"]
    text = letter_text(case, "en", JST, TODAY)
    assert '"updater.exe"' in text and "9 external mail servers" in text
    assert "1 further problem" in text


def test_a_case_made_in_japanese_renders_a_fully_english_letter_and_report(tmp_path):
    token = i18n.use_language("ja")
    try:
        case = make_case(
            tmp_path,
            "ja",
            [bot_watch(T0), clean_watch(T0 + timedelta(hours=2), minutes=30)],
            [("removal", "2026-11-21T15:00:00+09:00")],
            details={"notice_date": "20 November 2026", "reference": "AB-1"},
        )
    finally:
        i18n.reset_language(token)
    # The stored files carry words for people reading them, in Japanese ...
    assert "メール" in (case.path / "results.json").read_text(encoding="utf-8")
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef]")
    letter = letter_text(case, "en", JST, TODAY)
    assert not japanese.findall(letter), japanese.findall(letter)
    report = report_html(case, "en", JST, TODAY)
    assert not japanese.findall(report), sorted(set(japanese.findall(report)))


def quiet_watch(first, last) -> list:
    """The results of a live capture from 20:00 to 20:10 that saw no mail traffic."""
    summary = {
        "first": first,
        "last": last,
        "started": "2026-11-21T20:00:00+09:00",
        "ended": "2026-11-21T20:10:00+09:00",
        "smtp_syn_total": 0,
        "smtp_sessions_completed": 0,
        "smtp_refused": 0,
        "mx_queries_total": 0,
        "mx_distinct": 0,
        "mx_names": [],
        "destinations": [],
        "programs": [],
    }
    return [
        _stamp(r, T0 + timedelta(hours=6))
        for r in traffic.interpret(summary, "linux", True, "all", "iface")
    ]


def test_the_capture_watch_window_counts_as_a_clean_observation(tmp_path):
    live = quiet_watch(first=None, last=None)
    case = make_case(
        tmp_path, "cap", [bot_watch(T0), *live], [("removal", "2026-11-21T15:00:00+09:00")]
    )
    a = A.assess(case, JST)
    assert a.removed and a.clean_after_fix.source == "capture"


def test_uptime_off_is_only_said_when_off_at_every_time(tmp_path):
    from checks.uptime import interpret

    power = {
        "events": [
            {"time": "2026-11-20T04:50:11+00:00", "kind": "shutdown", "source": "wtmp"},
            {"time": "2026-11-20T05:10:02+00:00", "kind": "boot", "source": "wtmp"},
        ]
    }
    reported = [
        {"utc": "2026-11-20T05:00:00+00:00"},  # off then
        {"utc": "2026-11-20T05:20:00+00:00"},  # on then
    ]
    up = interpret(power, reported, JST, datetime(2026, 11, 22, tzinfo=UTC))
    assert up.status == Status.WARN
    case = make_case(tmp_path, "up", [clean_watch(T0), up])
    assert "電源が入っていなかった" not in letter_text(case, "ja", JST, TODAY)


def windows_mx_capture(exe: str, cmdline: list[str]) -> list[Result]:
    """A live capture on Windows in which the owner of the MX lookups is a svchost.exe."""
    summary = {
        "first": "2026-11-21T05:00:00+00:00",
        "last": "2026-11-21T05:04:00+00:00",
        "smtp_syn_total": 0,
        "smtp_sessions_completed": 0,
        "smtp_refused": 0,
        "mx_queries_total": 12,
        "mx_distinct": 12,
        "mx_names": [f"example{i}.jp" for i in range(12)],
        "destinations": [],
        "programs": [
            {
                "program": {"pid": 2140, "name": "svchost.exe", "exe": exe, "cmdline": cmdline},
                "flows": 0,
                "ports": [],
                "destinations": [],
                "first": "2026-11-21T05:00:00+00:00",
                "last": "2026-11-21T05:04:00+00:00",
                "mx_queries": 12,
                "mx_domains": 12,
            }
        ],
    }
    return [_stamp(r, T0) for r in traffic.interpret(summary, "windows", True, "all", "iface")]


@pytest.mark.parametrize("lang", LANGS)
def test_lookups_by_the_windows_dns_client_do_not_blame_svchost(tmp_path, lang):
    """Windows' DNS Client service (the real svchost.exe, "-s Dnscache") makes the lookups of
    every program: the finding is that some program asked, not that svchost.exe is a bot."""
    results = windows_mx_capture(
        r"C:\WINDOWS\system32\svchost.exe",
        [r"C:\WINDOWS\system32\svchost.exe", "-k", "NetworkService", "-p", "-s", "Dnscache"],
    )
    mx = next(r for r in results if r.id == "TRAFFIC-MX")
    assert mx.status == Status.WARN and mx.reason == "mx_lookups_dns_client"
    words = mx.words(lang).summary
    assert ("DNS Client" if lang == "en" else "DNS クライアント") in words
    case = make_case(tmp_path, "dns", [clean_watch(T0), *results])
    text = letter_text(case, lang, JST, TODAY)
    # The letter does not call svchost.exe the program that looked up mail servers.
    assert 'program called "svchost.exe"' not in text and "「svchost.exe」" not in text
    assert ("not yet identified" if lang == "en" else "まだ特定できておりません") in text


def test_a_svchost_outside_system32_looking_up_mail_servers_is_named():
    results = windows_mx_capture(r"C:\Users\taro\AppData\Roaming\svchost.exe", [])
    mx = next(r for r in results if r.id == "TRAFFIC-MX")
    assert mx.status == Status.FAIL and mx.reason == "mx_lookups"
    assert "svchost.exe" in mx.words("en").summary


@pytest.mark.parametrize("lang", LANGS)
def test_a_program_seen_only_looking_up_mail_servers_is_named_in_the_letter(tmp_path, lang):
    """The lookups' owner is in the capture's evidence: the letter must not say it is unknown."""
    exe = r"C:\Users\taro\AppData\Roaming\svchost.exe"
    case = make_case(tmp_path, "mx", [clean_watch(T0), *windows_mx_capture(exe, [])])
    a = A.assess(case, JST)
    assert (a.primary.check_id, a.primary.program, a.primary.reason) == (
        "TRAFFIC-MX",
        "svchost.exe",
        "mx_lookups",
    )
    text = letter_text(case, lang, JST, TODAY)
    assert ('"svchost.exe"' if lang == "en" else "「svchost.exe」") in text
    assert ("not yet identified" if lang == "en" else "まだ特定できておりません") not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_removal_recorded_before_the_bot_was_last_seen_is_not_a_fix(tmp_path, lang):
    """Found by the letter property: removal at 14:00, the bot seen at 18:15, a quiet watch from
    18:17. The quiet watch is a pause between bursts; the letter must not say "removed"."""
    case = make_case(
        tmp_path,
        "pause",
        [bot_watch(T0 + timedelta(minutes=255)), clean_watch(T0 + timedelta(minutes=257), 5)],
        [("removal", T0.astimezone(JST).isoformat())],
    )
    a = A.assess(case, JST)
    assert not a.removed and a.ongoing is True
    text = letter_text(case, lang, JST, TODAY)
    assert not any(phrase in text for phrase in REMOVED[lang])


def test_a_quiet_watch_is_the_time_watched_not_the_packets_seen(tmp_path):
    """A 10-minute watch that saw one unrelated packet: the result, the letter and the PDF's
    source all say 20:00–20:10, never the instant of that packet."""
    one_packet = "2026-11-21T20:04:56+09:00"
    live = quiet_watch(first=one_packet, last=one_packet)
    assert all("20:04:56" not in r.summary for r in live)
    case = make_case(tmp_path, "quiet", live)
    ja = letter_text(case, "ja", JST, TODAY)
    en = letter_text(case, "en", JST, TODAY)
    assert "20時00分00秒～20時10分00秒" in ja and "20時04分56秒" not in ja, ja
    assert "20:00:00–20:10:00" in en and "20:04:56" not in en, en
