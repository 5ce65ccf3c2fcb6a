"""Cases built headlessly from fixed facts, for the letter and bundle tests: clean, infected and
remediated, forged sender, account misuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from cases.store import Case
from checks import i18n
from checks.model import Result, Status
from checks.notice import analyse, to_result
from checks.probes.mail_connections import Observation, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.smtp import interpret_outbound
from checks.uptime import interpret as interpret_uptime

JST = timezone(timedelta(hours=9), "JST")
DATA = Path(__file__).parent / "data"
T0 = datetime(2026, 11, 21, 5, 0, 0, tzinfo=UTC)  # 14:00 JST on the 21st
TODAY = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
USER_IP = "203.0.113.45"

DETAILS = dict(
    name="山田 太郎",
    contract_id="EX-0012345",
    provider="株式会社エグザンプル通信",
    notice_date="2026年11月20日",
    email="taro.yamada@example.jp",
    phone="090-1234-5678",
)


def _stamp(result: Result, at: datetime, ms: int = 900) -> Result:
    from dataclasses import replace

    return replace(result, started_at=at, duration_ms=ms)


def _host_results(at: datetime) -> list[Result]:
    def r(id_, status, reason, **params):
        return _stamp(Result(id_, status, reason, params), at, 1200)

    return [
        r("SMTP-LISTEN", Status.PASS, "none"),
        r("PROXY-OPEN", Status.PASS, "none_found"),
        r("OS-UPDATES", Status.PASS, "up_to_date"),
        r("AV-STATUS", Status.PASS, "windows_on", names=["Microsoft Defender"]),
        r("FW-STATUS", Status.PASS, "windows_on"),
        r("CLOCK-SYNC", Status.PASS, "windows_synchronised", server="time.windows.com"),
    ]


def clean_watch(start: datetime, minutes: int = 15) -> Result:
    facts = WatchFacts(
        "windows", start, start + timedelta(minutes=minutes), 9000, [], True, None, True
    )
    return _stamp(interpret_outbound(facts), start, minutes * 60000)


def bot_watch(start: datetime) -> Result:
    bot = ProcessInfo(
        pid=7420,
        create_time=1763600000.0,
        name="svchost.exe",
        exe="C:\\Users\\taro\\AppData\\Roaming\\Microsoft\\Network\\svchost.exe",
        exe_exists=True,
        user="DESKTOP-7Q2KJ3M\\taro",
    )
    observations = [
        Observation(
            "192.168.10.23",
            51000 + i,
            f"198.51.100.{10 + i}",
            25,
            start + timedelta(seconds=20 * i),
            start + timedelta(seconds=20 * i + 1),
            ["SYN_SENT"],
            bot,
        )
        for i in range(6)
    ]
    facts = WatchFacts(
        "windows", start, start + timedelta(minutes=5), 3000, observations, True, None, True
    )
    return _stamp(interpret_outbound(facts), start, 300000)


def _notice(case: Case, sample: str, public_ip: str | None = USER_IP) -> None:
    token = i18n.use_language("en")
    try:
        analysis = analyse(
            (DATA / "notices" / sample).read_bytes(), public_ip=public_ip, local_zone=JST
        )
        with case.update() as u:
            u.set_notice(analysis.to_dict())
            u.add_results([_stamp(to_result(analysis), T0)])
    finally:
        i18n.reset_language(token)


def build(kind: str, folder: Path) -> Case:
    case = Case(folder / kind)
    case.set_details(**DETAILS)
    token = i18n.use_language("en")
    try:
        if kind == "clean":
            _notice(case, "notice_ja.txt")
            case.add_results([*_host_results(T0), clean_watch(T0)])
            power = {
                "events": [
                    {"time": "2026-11-20T04:50:11+00:00", "kind": "shutdown", "source": "wtmp"},
                    {"time": "2026-11-20T06:10:02+00:00", "kind": "boot", "source": "wtmp"},
                ]
            }
            claim = case.notice()["claim"]
            case.add_results([_stamp(interpret_uptime(power, claim["times"], JST, TODAY), T0)])
        elif kind == "infected":
            _notice(case, "direct_to_mx.eml")
            case.add_results([*_host_results(T0), bot_watch(T0)])
            for step, when in (
                ("disconnect", "2026-11-21T14:10:00+09:00"),
                ("scan", "2026-11-21T14:40:00+09:00"),
                ("removal", "2026-11-21T15:00:00+09:00"),
                ("updates", "2026-11-21T16:00:00+09:00"),
                ("password", "2026-11-21T16:30:00+09:00"),
            ):
                case.mark_done(step, when)
            case.add_results([clean_watch(T0 + timedelta(hours=6), minutes=30)])
        elif kind == "forged":
            _notice(case, "forged_sender.eml")
            case.add_results([*_host_results(T0), clean_watch(T0)])
        elif kind == "account":
            _notice(case, "account_misuse.eml")
            case.add_results([*_host_results(T0), clean_watch(T0)])
            case.mark_done("password", "2026-11-21")
        elif kind == "suspicious":
            # Something connected to port 25 and ended before it could be identified.
            from tests.unit.test_assessment import unidentified_watch

            _notice(case, "notice_mail_subject_ref.eml")
            case.add_results([*_host_results(T0), unidentified_watch(T0)])
        elif kind == "ongoing":
            # Infected; only "disconnect" done so far: nothing may say it is removed.
            _notice(case, "notice_kanri_bangou.txt")
            case.add_results([*_host_results(T0), bot_watch(T0)])
            case.mark_done("disconnect", "2026-11-21T14:10:00+09:00")
        elif kind == "nofacts":
            _notice(case, "../../realworld/data/notice_without_facts_ja.txt")
            case.add_results([*_host_results(T0), clean_watch(T0)])
        else:
            raise ValueError(kind)
    finally:
        i18n.reset_language(token)
    return case
