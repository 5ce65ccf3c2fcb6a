"""What the letter and the report show, in one language, from the case's assessment.

Nothing here decides what happened: cases.assessment did. This module turns its typed answer
into display values (dates as each language writes them, check titles and status words from the
catalog); the templates choose paragraphs and print them. Words that belong to one language's
letter (the step labels, what to ask for, the blanks) live in that language's template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from cases import assessment as A
from cases.store import Case
from checks import catalogue, dates, i18n
from checks.evidence import LISTENING, LOOKUP, SENDING
from checks.model import Status

ALL_REQUESTS = (
    "times_exact",
    "source_ip",
    "line_address",
    "logs_for_line",
    "source_port",
    "destination",
    "count",
    "sample_headers",
    "trigger",
    "times_bot",
    "bot_destination",
)
# What helps find a device that talks to a botnet: which one it was (the port, behind CGNAT),
# when, and what it contacted; no mail sample or message count (issue 33's bot reports).
BOT_REQUESTS = ("times_bot", "source_port", "bot_destination", "trigger")
# What to ask for when the notice asked nothing specific (the line's address and logs are
# asked only when the reading of the headers needs them).
DEFAULT_REQUESTS = tuple(
    k
    for k in ALL_REQUESTS
    if k not in ("line_address", "logs_for_line", "times_bot", "bot_destination")
)
DETAIL_KEYS = ("name", "contract_id", "provider", "reference", "notice_date", "email", "phone")

# The remediation steps as the report names them (the letters word them in their templates).
STEP_WORDS = {
    "disconnect": i18n.N_("Disconnected the PC from the internet"),
    "scan": i18n.N_("Ran a full antivirus scan"),
    "removal": i18n.N_("Removed the program that was found"),
    "reinstall": i18n.N_("Reinstalled the operating system"),
    "updates": i18n.N_("Installed all operating system and software updates"),
    "password": i18n.N_("Changed the mail password from another device"),
    "router": i18n.N_("Changed the router's admin password and updated its firmware"),
}

STATUS_WORDS = {
    Status.PASS: i18n.N_("OK"),
    Status.WARN: i18n.N_("WARNING"),
    Status.FAIL: i18n.N_("PROBLEM"),
    Status.UNKNOWN: i18n.N_("UNKNOWN"),
    Status.SKIPPED: i18n.N_("SKIPPED"),
    Status.ERROR: i18n.N_("ERROR"),
}


def status_word(status: Status, lang: str) -> str:
    token = i18n.use_language(lang)
    try:
        return i18n._(STATUS_WORDS[Status(status)])
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
    checks: list[dict[str, Any]]
    checked_span: str
    clock_synchronised: bool
    clock_known: bool
    nothing_found: bool
    sighting: dict[str, Any] | None
    more_sightings: int
    ongoing: bool | None
    removed: bool
    removal_recorded: bool
    scope: dict[str, str] | None
    after_clean: dict[str, str] | None
    uptime_off: list[str]
    uptime_on: bool
    remediation: list[dict[str, str]]
    requests: list[str]
    cgnat: bool
    blocklisted: bool
    other_devices_checked: bool
    claim: dict[str, Any] = field(default_factory=dict)
    # The notice reports a bot, not spam: {"evidence": the desk's sentence, "family": ...}.
    bot: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, str]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    journal: dict[str, Any] | None = None
    suspects: list[dict[str, Any]] = field(default_factory=list)  # ranked, most likely first
    assessment: A.Assessment = field(repr=False, default=None)  # type: ignore[assignment]

    def as_context(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "assessment"}


def _observation(o: A.Observation | None, zone: tzinfo, lang: str) -> dict[str, str] | None:
    if o is None:
        return None
    return {
        "source": o.source,
        "where": o.where,
        "when": dates.between(o.start, o.end, zone, lang),
        "at": dates.moment(o.start.astimezone(zone), lang),
        "minutes": str(max(1, round(o.length.total_seconds() / 60))),
    }


def _sighting(s: A.Sighting | None, zone: tzinfo, lang: str) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "check": s.check_id,
        "status": str(s.status),
        "reason": s.reason,
        "where": s.where,
        "identified": s.identified,
        "program": s.program or "",
        "path": s.path or "",
        "host": s.host or "",
        "servers": s.servers,
        "destinations": s.destinations,
        "direct": s.servers > 0,
        "port": s.port or "",
        "sending": s.kind == SENDING,
        "mx": s.kind == LOOKUP,
        "listening": s.kind == LISTENING,
        "when": dates.between(s.first_seen, s.last_seen, zone, lang)
        if (s.first_seen or s.last_seen)
        else (dates.moment(s.seen_at.astimezone(zone), lang) if s.seen_at else ""),
    }


def _journal(a: A.Assessment, zone: tzinfo, lang: str) -> dict[str, Any] | None:
    """What the letter says from the journal: only about the time it provably ran."""
    j = a.journal
    if j is None:
        return None
    if not j.intact:
        # Cited for nothing: the letter says the record for that time did not verify.
        return {
            "damaged": True,
            "window": dates.between(j.start, j.end, zone, lang, seconds=False),
            # In the letter's language where the catalogue has it (the keeper's reason); the
            # chain's own details (record numbers) pass through as they are.
            "problem": i18n.gettext_in(lang, j.problem) if j.problem else "",
        }
    if not j.running:
        return None
    events = [
        {
            "program": s.program or "",
            "path": s.path or "",
            "servers": s.servers,
            "count": s.destinations,
            "when": dates.between(s.first_seen, s.last_seen, zone, lang),
        }
        for s in a.sightings
        if s.check_id == "JOURNAL"
    ]
    return {
        "window": dates.between(j.start, j.end, zone, lang, seconds=False),
        "complete": j.complete,
        "partial": j.partial,
        "interval": f"{j.poll_interval_s:g}" if j.poll_interval_s else "",
        "running": [dates.between(x, y, zone, lang, seconds=False) for x, y, _m in j.running],
        "events": events,
        "intact": j.intact,
        "damaged": False,
        "mail_servers": list(j.mail_servers),
        "head": j.head,
    }


# The checks whose results bear on a complaint about spam: the letter states these, one
# sentence each; the rest (clock, OS support, address kind, other devices) it says otherwise.
LETTER_CHECKS = catalogue.letter_checks()


def quote(text: str, lang: str) -> str:
    """Words taken from the provider or typed in Japanese, in an English letter, are marked as
    a quotation; the Japanese letter uses them as they are."""
    if i18n.language(lang).quotes_foreign and text and not text.isascii():
        return i18n.gettext_in(lang, i18n.N_("“{text}”")).format(text=text)
    return text


def _notice_date(text: str, zone: tzinfo, lang: str) -> str:
    """The notice date as the user typed it, written in the letter's language when it reads
    as a date (2026年11月20日, 2026-11-20, 2026/11/20)."""
    import re

    m = re.search(r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})", text or "")
    if m:
        try:
            day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=zone)
            return dates.date_only(day, lang)
        except ValueError:
            pass
    return quote(text, lang)


def _findings(a: A.Assessment, zone: tzinfo, lang: str) -> list[dict[str, str]]:
    from checks import wording

    token = wording.display_zone.set(zone)
    try:
        return _findings_in_zone(a, zone, lang)
    finally:
        wording.display_zone.reset(token)


def _findings_in_zone(a: A.Assessment, zone: tzinfo, lang: str) -> list[dict[str, str]]:
    first_step = min((s.at for s in a.steps), default=None)
    out = []
    for line in sorted(
        (c for c in a.checks if c.result.id in LETTER_CHECKS),
        key=lambda c: (LETTER_CHECKS.index(c.result.id), c.result.started_at or datetime.min),
    ):
        r = line.result
        if r.status in (Status.SKIPPED, Status.ERROR):
            continue
        words = r.words(lang)
        phase = ""
        if first_step is not None and r.started_at is not None:
            phase = "after" if r.started_at >= first_step else "before"
        out.append(
            {
                "id": r.id,
                "title": words.title,
                "summary": words.summary,
                # One time per line: a summary that states its own time keeps only that one.
                "when": dates.moment(r.started_at.astimezone(zone), lang, seconds=False)
                if r.started_at and not _TIME_IN_WORDS.search(words.summary)
                else "",
                "phase": phase,
                "status": str(r.status),
            }
        )
    return out


def scan_facts(history: list) -> dict[str, Any]:
    """What the case knows of the scan the user ticked: the scanner AV-STATUS saw on, a scan's
    result, or that no scanner was on (then the letter cannot name one, and says so rather than
    claim a full antivirus scan beside 'no antivirus is switched on')."""
    av = [r for r in history if r.id == "AV-STATUS"]
    names: list[str] = []
    found: int | None = None
    for r in av:
        p = r.params
        if r.reason in ("windows_on", "linux_scanner"):
            names = [str(n) for n in p.get("names") or []]
        elif r.reason in ("expired", "paused", "definitions_outdated") and p.get("name"):
            names = [str(p["name"])]
        elif r.reason in ("clamav_ok", "clamav_definitions_old", "clamav_no_definitions"):
            names = ["ClamAV"]
        elif r.reason in ("none_on", "linux_none"):
            names = []  # the latest answer wins: nothing is on now
        if r.reason == "scan_clean":
            found = 0
        elif r.reason in ("scan_found", "quick_scan_threats"):
            found = int(p.get("n") or 0) or None
    latest = av[-1].reason if av else ""
    return {
        "scanner": ", ".join(names),
        "no_scanner": latest in ("none_on", "linux_none") and not names,
        "found": found,
    }


_TIME_IN_WORDS = re.compile(r"\d:\d\d|\d時\d\d分")


def build(
    case: Case,
    lang: str,
    zone: tzinfo | None = None,
    today: datetime | None = None,
    with_pdf: bool = True,
) -> LetterModel:
    """The letter's facts; ``with_pdf`` False when the bundle it goes with holds no PDF. One
    function per section of the letter, below."""
    lang = i18n.normalise(lang)
    zone = zone or datetime.now().astimezone().tzinfo or UTC
    today = (today or datetime.now(UTC)).astimezone(zone)
    a = A.assess(case, zone)
    who = _who(a, case.details(), zone, lang)
    steps = _remediation(a, case, zone, lang)
    notice = _notice(a, zone, lang)
    password = next((s for s in steps if s["code"] == "password"), None)
    notice["password_changed"] = password["date"] if password else ""
    return LetterModel(
        lang=lang,
        today=dates.date_only(today, lang),
        kind=a.kind,
        who=who,
        missing_details=[k for k in DETAIL_KEYS if not who[k]],
        notice=notice,
        checks=_checks(a, lang),
        checked_span=_checked_span(a, zone, lang),
        clock_synchronised=bool(a.clock and a.clock.status == Status.PASS),
        clock_known=a.clock is not None and a.clock.status in (Status.PASS, Status.WARN),
        nothing_found=a.nothing_found,
        sighting=_sighting(a.primary, zone, lang),
        more_sightings=max(0, len([s for s in a.sightings if s.status == Status.FAIL]) - 1),
        ongoing=a.ongoing,
        removed=a.removed,
        removal_recorded=a.removal_recorded,
        scope=_observation(a.scope, zone, lang),
        after_clean=_observation(a.clean_after_fix, zone, lang),
        uptime_off=_uptime_off(a, zone, lang),
        uptime_on=a.uptime is not None and a.uptime.status == Status.WARN,
        remediation=steps,
        requests=_requests(a),
        cgnat=a.cgnat,
        blocklisted=a.blocklisted,
        other_devices_checked=a.other_devices_checked,
        claim=_claim(a, notice),
        bot=dict(a.notice.claim.bot_report) if a.notice and a.notice.claim.bot_report else {},
        findings=_findings(a, zone, lang),
        attachments=_attachments(case, a, with_pdf),
        journal=_journal(a, zone, lang),
        suspects=_suspects(a, lang),
        assessment=a,
    )


def _checks(a: A.Assessment, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "id": c.result.id,
            "title": c.result.words(lang).title,
            "status": str(c.result.status),
            "status_word": status_word(c.result.status, lang),
            "failed_before": c.failed_before,
        }
        for c in a.checks
    ]


def _who(a: A.Assessment, details: dict[str, str], zone: tzinfo, lang: str) -> dict[str, str]:
    """The writer's details, filled from the notice where the user left them empty."""
    who = {k: details.get(k, "") for k in DETAIL_KEYS}
    if not who["reference"] and a.notice and a.notice.reference:
        who["reference"] = a.notice.reference
    if not who["provider"] and a.notice and a.notice.claim.provider:
        who["provider"] = a.notice.claim.provider
    # Whom the provider wrote to and the contract it named: the subscriber's own, not asked again.
    if not who["name"] and a.notice and a.notice.claim.addressee:
        who["name"] = a.notice.claim.addressee
    if not who["contract_id"] and a.notice and a.notice.claim.contract_id:
        who["contract_id"] = a.notice.claim.contract_id
    # In an English letter, anything not in English letters is marked as a quotation; but not
    # the writer's own name ('I am “山田 太郎”' read as an alias): a name is written as it is.
    for key in ("provider", "contract_id", "reference", "email", "phone"):
        if who[key]:
            who[key] = quote(who[key], lang)
    if who["notice_date"]:
        who["notice_date"] = _notice_date(who["notice_date"], zone, lang)
    return who


def _remediation(a: A.Assessment, case: Case, zone: tzinfo, lang: str) -> list[dict[str, Any]]:
    steps = [
        {
            "code": s.name,
            "date": dates.date_only(
                datetime.fromisoformat(s.recorded).astimezone(zone) if not s.date_only else s.at,
                lang,
            ),
        }
        for s in a.steps
    ]
    for step in steps:
        if step["code"] == "scan":
            step.update(scan_facts(case.history()))
    return steps


def _notice(a: A.Assessment, zone: tzinfo, lang: str) -> dict[str, Any]:
    """What the notice says, as the letter restates it (empty fields without a notice)."""
    notice: dict[str, Any] = {"present": a.notice is not None}
    if a.notice is None:
        notice.update(
            conflict=False,
            code="",
            line="",
            verdict="",
            times=[],
            source_ips=[],
            deciding_ip="",
            deciding_raw="",
            auth_user="",
            server="",
            auth_results="",
        )
        return notice
    hop = a.notice.deciding_hop
    notice.update(
        verdict=a.notice.verdict,
        times=dates.claimed_times(a.notice.claim, zone, lang),
        source_ips=list(a.notice.claim.source_ips),
        deciding_ip=a.notice.deciding_ip,
        deciding_raw=str(hop.get("raw") or ""),
        auth_user=str(hop.get("auth_user") or ""),
        server=str(hop.get("by") or ""),
        helo=str(hop.get("from") or ""),
        auth_results=", ".join(f"{k}={v}" for k, v in a.notice.auth_results.items()),
        # The report's Source-IP and its attached headers (this line) disagree.
        conflict=a.notice.explanation_code == "source_conflict",
        code=a.notice.explanation_code,
        line=a.notice.line,
    )
    return notice


def _requests(a: A.Assessment) -> list[str]:
    """What the letter asks the provider for: what the notice lacks, or the kind's own asks."""
    if a.kind == A.KIND_ACCOUNT:
        return ["times_exact", "trigger"]
    if a.kind == A.KIND_FORGED:
        return ["source_ip", "trigger"]
    if a.notice is None:
        return list(DEFAULT_REQUESTS)
    if a.notice.claim.bot_report:
        return list(BOT_REQUESTS)
    return [k for k in (a.notice.asks or DEFAULT_REQUESTS) if k in ALL_REQUESTS]


def _claim(a: A.Assessment, notice: dict[str, Any]) -> dict[str, Any]:
    if a.notice is None:
        return {"any": False}
    c = a.notice.claim
    claim: dict[str, Any] = {
        "times": notice["times"],
        "source_ips": list(c.source_ips),
        "source_ports": [str(x) for x in c.source_ports],
        "destination_ports": [str(x) for x in c.destination_ports],
        "destinations": list(c.destinations),
        "count": f"{c.count:,}" if c.count is not None else "",
        "count_approximate": c.count_approximate,
    }
    claim["any"] = any(claim[k] for k in ("times", "source_ips", "count", "destination_ports"))
    return claim


def _checked_span(a: A.Assessment, zone: tzinfo, lang: str) -> str:
    ran = [
        c.result
        for c in a.checks
        if c.result.started_at is not None and c.result.status != Status.SKIPPED
    ]
    if not ran:
        return ""
    first = min(r.started_at for r in ran)
    last = max(r.started_at + timedelta(milliseconds=r.duration_ms) for r in ran)
    return dates.between(first, last, zone, lang)


def _uptime_off(a: A.Assessment, zone: tzinfo, lang: str) -> list[str]:
    """The spans the PC was off or asleep, when it was so at every reported time."""
    out: list[str] = []
    if a.uptime is not None and a.uptime.status == Status.PASS:
        for item in a.uptime.facts.get("answers") or []:
            if isinstance(item, dict):
                since, until = dates.parse(item.get("since")), dates.parse(item.get("until"))
                if since and until:
                    out.append(dates.between(since, until, zone, lang))
    return out


def _suspects(a: A.Assessment, lang: str) -> list[dict[str, Any]]:
    from dataclasses import asdict

    from cases import suspects
    from reports import suspect_words

    token = i18n.use_language(lang)
    try:
        ranked = suspects.rank(suspects.facts_of(a))
        changed = any(step.name == "password" for step in a.steps)
        return [asdict(line) for line in suspect_words.lines(ranked, password_changed=changed)]
    finally:
        i18n.reset_language(token)


def _attachments(case: Case, a: A.Assessment, with_pdf: bool) -> list[str]:
    """What the evidence bundle will hold, as the letter names it."""
    names = ["report", *(["pdf"] if with_pdf else []), "results"]
    if case.pcap_path().exists():
        names.append("capture")
    if a.journal is not None and a.journal.running:  # named only when it speaks for that time
        names.append("journal")
    names.append("sums")
    return names
