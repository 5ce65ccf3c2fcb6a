"""Everything the letter and the report show, computed once from a case. Templates only choose
paragraphs and print these values; they compute nothing.

Built per language: dates are written as that language writes them, and labels come from the
catalog. Free text from the results (summaries) is in the language the checks ran in, so the
letter names checks by their translated titles and states only what the facts prove.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from checks import i18n
from checks.model import Result, Status
from reports import dates
from reports.case import REMEDIATION_STEPS, Case

CLEAN, INFECTED, FORGED, ACCOUNT = "clean", "infected", "forged", "account"
MAIL_CHECKS = ("SMTP-OUT", "SMTP-LISTEN", "PROXY-OPEN", "TRAFFIC-SMTP", "TRAFFIC-MX")

PLACEHOLDERS = {
    "ja": {
        "name": "［お名前］",
        "contract_id": "［ご契約者番号］",
        "provider": "［プロバイダー名］",
        "reference": "［受付番号］",
        "notice_date": "［通知の日付］",
        "email": "［メールアドレス］",
        "phone": "［電話番号］",
    },
    "en": {
        "name": "[your name]",
        "contract_id": "[contract ID]",
        "provider": "[provider]",
        "reference": "[notice reference]",
        "notice_date": "[date of the notice]",
        "email": "[e-mail address]",
        "phone": "[phone number]",
    },
}

STEP_LABELS = {
    "ja": {
        "disconnect": "パソコンをインターネットから切り離しました",
        "scan": "ウイルス対策ソフトで完全スキャンを行いました",
        "removal": "検出されたプログラムを駆除しました",
        "reinstall": "OS を再インストールしました",
        "updates": "OS とソフトウェアを最新の状態に更新しました",
        "password": "メールのパスワードを変更しました（別の安全な機器から）",
        "router": "ルーターの管理パスワードを変更し、ファームウェアを更新しました",
    },
    "en": {
        "disconnect": "disconnected the PC from the internet",
        "scan": "ran a full antivirus scan",
        "removal": "removed the program that was found",
        "reinstall": "reinstalled the operating system",
        "updates": "installed all operating system and software updates",
        "password": "changed my mail password (from another, clean device)",
        "router": "changed the router's admin password and updated its firmware",
    },
}

REQUEST_LABELS = {
    "ja": {
        "times_exact": "送信が確認された日時（秒単位まで、時間帯（日本時間など）を含めて）",
        "source_ip": "送信元の IP アドレス",
        "source_port": "送信元のポート番号",
        "destination": "送信先（宛先のメールサーバー）",
        "count": "送信された通数",
        "sample_headers": "該当するメールの実物（全ヘッダー付き）",
        "trigger": "今回のご連絡のきっかけとなった報告、またはブラックリストの名称",
    },
    "en": {
        "times_exact": "the times the mail was seen, to the second, with the time zone",
        "source_ip": "the source IP address",
        "source_port": "the source port",
        "destination": "the destination (the receiving mail server)",
        "count": "the number of messages",
        "sample_headers": "a sample message with its full headers",
        "trigger": "which report or blocklist listing triggered the notice",
    },
}
ALL_REQUESTS = tuple(REQUEST_LABELS["en"])


def _status_label(status: Status, lang: str) -> str:
    token = i18n.use_language(lang)
    try:
        return {
            Status.PASS: i18n._("OK"),
            Status.WARN: i18n._("WARNING"),
            Status.FAIL: i18n._("PROBLEM"),
            Status.UNKNOWN: i18n._("UNKNOWN"),
            Status.SKIPPED: i18n._("SKIPPED"),
            Status.ERROR: i18n._("ERROR"),
        }[status]
    finally:
        i18n.reset_language(token)


def _title(result: Result, lang: str) -> str:
    from checks import registry

    spec = registry.by_id().get(result.id)
    token = i18n.use_language(lang)
    try:
        if spec is not None:
            return i18n._(spec.title)
        from checks import notice, uptime

        titles = {"NOTICE-SOURCE": notice.TITLE, "NOTICE-UPTIME": uptime.TITLE}
        return i18n._(titles[result.id]) if result.id in titles else result.title
    finally:
        i18n.reset_language(token)


@dataclass
class LetterModel:
    lang: str
    today: str
    kind: str
    who: dict[str, str]
    missing_details: list[str]
    notice: dict[str, Any]
    checks: list[dict[str, str]]
    checked_span: str
    clock_synchronised: bool
    clock_known: bool
    scope: str
    uptime_off: list[str]
    infection: dict[str, Any] | None
    remediation: list[dict[str, str]]
    after_clean: str
    requests: list[str]
    other_devices_unchecked: bool = True
    cgnat: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_context(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _infection(history: list[Result], zone: tzinfo, lang: str) -> dict[str, Any] | None:
    for result in reversed(history):
        if result.id == "SMTP-OUT" and result.status == Status.FAIL:
            bad = [p for p in result.facts.get("programs", []) if p.get("verdict") == "fail"]
            if not bad:
                continue
            p = bad[0]
            first, last = dates.parse(p.get("first_seen")), dates.parse(p.get("last_seen"))
            return {
                "program": p.get("name") or "?",
                "path": p.get("exe") or "?",
                "pid": p.get("pid"),
                "servers": len(p.get("direct_servers") or []) or len(p.get("destinations") or []),
                "direct": bool(p.get("direct_servers")),
                "when": dates.span(first.astimezone(zone), last.astimezone(zone), lang)
                if first and last
                else "",
                "seen_at": result.started_at,
            }
        if result.id in ("PROXY-OPEN", "SMTP-LISTEN") and result.status == Status.FAIL:
            items = result.facts.get("findings") or result.facts.get("listeners") or []
            bad = [f for f in items if f.get("verdict") == "fail"]
            if bad:
                return {
                    "program": bad[0].get("name") or "?",
                    "path": bad[0].get("exe") or "?",
                    "pid": bad[0].get("pid"),
                    "servers": 0,
                    "direct": False,
                    "when": "",
                    "seen_at": result.started_at,
                }
    return None


def _watch_scope(result: Result | None, zone: tzinfo, lang: str) -> tuple[str, datetime | None]:
    """The honest scope statement from a clean SMTP-OUT watch, and when it started."""
    if result is None or result.status != Status.PASS:
        return "", None
    window = result.facts.get("window", {})
    start, end = dates.parse(window.get("from")), dates.parse(window.get("to"))
    if not start or not end or result.facts.get("programs"):
        return "", None
    when = dates.span(start.astimezone(zone), end.astimezone(zone), lang)
    if window.get("mode") == "watch":
        if lang == "ja":
            return (
                f"{when}の間、このパソコンからメールサーバーへの接続は一度も確認されませんでした。",
                start,
            )
        return f"No mail connections were seen from this PC between {when}.", start
    at = dates.moment(start.astimezone(zone), lang)
    if lang == "ja":
        return f"{at}の時点で、このパソコンからメールサーバーへの接続はありませんでした。", start
    return f"At {at}, this PC had no connection to any mail server.", start


def build(
    case: Case, lang: str, zone: tzinfo | None = None, today: datetime | None = None
) -> LetterModel:
    lang = i18n.normalise(lang)
    zone = zone or datetime.now().astimezone().tzinfo or UTC
    today = (today or datetime.now(UTC)).astimezone(zone)
    details = case.details()
    placeholders = PLACEHOLDERS[lang]
    who = {k: details[k] or placeholders[k] for k in placeholders}
    missing = [k for k in placeholders if not details[k]]

    results = {r.id: r for r in case.results()}
    history = case.history() or list(results.values())
    notice = case.notice() or {}
    claim = notice.get("claim", {})
    verdict = notice.get("verdict", "unknown")
    if not details["reference"] and claim.get("reference"):
        who["reference"] = claim["reference"]
        missing.remove("reference")

    infection = _infection(history, zone, lang)
    kind = (
        FORGED
        if verdict == "forged"
        else ACCOUNT
        if verdict == "account"
        else INFECTED
        if infection
        else CLEAN
    )

    done = case.remediation()
    remediation = [
        {
            "label": STEP_LABELS[lang][step],
            "date": dates.date_only(datetime.fromisoformat(done[step]), lang),
        }
        for step in REMEDIATION_STEPS
        if step in done
    ]
    scope, scope_start = _watch_scope(results.get("SMTP-OUT"), zone, lang)
    after_clean = ""
    if (
        infection
        and scope
        and scope_start
        and infection["seen_at"]
        and scope_start > infection["seen_at"]
    ):
        after_clean, scope = scope, ""

    ran = [
        r
        for r in results.values()
        if r.started_at and r.status != Status.SKIPPED and not r.id.startswith("NOTICE-")
    ]
    checked_span = ""
    if ran:
        first = min(r.started_at for r in ran).astimezone(zone)
        last = max(r.started_at + timedelta(milliseconds=r.duration_ms) for r in ran)
        last = last.astimezone(zone)
        if last - first >= timedelta(seconds=1):
            checked_span = dates.span(first, last, lang)
        else:
            checked_span = dates.moment(first, lang)
    clock = results.get("CLOCK-SYNC")
    uptime = results.get("NOTICE-UPTIME")
    uptime_off = []
    if uptime is not None and uptime.status == Status.PASS:
        for a in uptime.facts.get("answers", []):
            since, until = dates.parse(a.get("since")), dates.parse(a.get("until"))
            if since and until:
                uptime_off.append(dates.span(since.astimezone(zone), until.astimezone(zone), lang))

    # The provider's own times are quoted as the provider wrote them: the desk recognises them.
    times = [t["text"] for t in claim.get("times", []) if t.get("text") and not t.get("source")]
    hop = notice.get("deciding_hop") or {}
    requests = [
        REQUEST_LABELS[lang][k]
        for k in (notice.get("ask_provider") or ALL_REQUESTS)
        if k in REQUEST_LABELS[lang]
    ]
    if kind == ACCOUNT:
        requests = [REQUEST_LABELS[lang][k] for k in ("times_exact", "trigger")]
    elif kind == FORGED:
        requests = [REQUEST_LABELS[lang][k] for k in ("source_ip", "trigger")]

    failed_before = {h.id for h in history if h.status == Status.FAIL}
    fixed = {"ja": "問題あり → 対策後は問題なし", "en": "PROBLEM, then OK after the fix"}[lang]
    checks = [
        {
            "id": r.id,
            "title": _title(r, lang),
            "status": fixed
            if r.status == Status.PASS and r.id in failed_before
            else _status_label(r.status, lang),
        }
        for r in results.values()
        if r.status != Status.SKIPPED and not r.id.startswith("NOTICE-")
    ]
    return LetterModel(
        lang=lang,
        today=dates.date_only(today, lang),
        kind=kind,
        who=who,
        missing_details=missing,
        notice={
            "reference": who["reference"],
            "date": who["notice_date"],
            "times": times,
            "source_ips": claim.get("source_ips", []),
            "verdict": verdict,
            "deciding_ip": notice.get("deciding_ip") or "",
            "deciding_raw": hop.get("raw") or "",
            "auth_user": hop.get("auth_user") or "",
            "server": hop.get("by") or "",
            "auth_results": ", ".join(
                f"{k}={v}"
                for k, v in (notice.get("sample", {}).get("authentication_results") or {}).items()
            ),
            "password_changed": dates.date_only(datetime.fromisoformat(done["password"]), lang)
            if "password" in done
            else "",
        },
        checks=checks,
        checked_span=checked_span,
        clock_synchronised=bool(clock and clock.status == Status.PASS),
        clock_known=clock is not None and clock.status in (Status.PASS, Status.WARN),
        scope=scope,
        uptime_off=uptime_off,
        infection=infection,
        remediation=remediation,
        after_clean=after_clean,
        requests=requests,
        cgnat=bool(results.get("NET-NAT") and results["NET-NAT"].facts.get("cgnat")),
    )


def support_summary(case: Case) -> list[str]:
    """A few lines to read out or paste to support staff."""
    lines = [f"case {case.path.name}"]
    for r in case.results():
        lines.append(f"{r.id:14} {r.status}")
    notice = case.notice()
    if notice:
        lines.append(
            f"notice verdict {notice.get('verdict')} ip {notice.get('deciding_ip') or '-'}"
        )
    capture = case.capture()
    if capture:
        lines.append(
            f"capture syn {capture.get('smtp_syn_total', '-')} mx {capture.get('mx_queries_total', '-')}"
        )
    return lines
