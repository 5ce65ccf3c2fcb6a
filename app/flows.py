"""The flows: what each command and each step of the window does with a case.

main.py and gui/ call these and nothing else to change a case; neither front end holds workflow
logic of its own. Each flow computes everything first and writes once, so a flow that fails
changes nothing in the case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from cases.store import Case
from checks.model import Result

# --- audit -----------------------------------------------------------------------------------


def audit(
    case: Case | None,
    ids: list[str] | None,
    options,
    on_result: Callable[[Result], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[Result]:
    """Run checks; each result is added to the case as soon as it is ready (a long watch that is
    interrupted keeps what finished), then handed to ``on_result``."""
    from checks import registry
    from checks.runner import run_checks

    specs = registry.select(ids)

    def deliver(result: Result) -> None:
        if case is not None:
            if result.id == "NET-DEVICES":
                result = _with_new_devices(result, case)
            case.add_results([result])
            if result.id == "NET-NAT":
                notice_again(case)  # saved to the case; the caller gets the checks it asked for
        if on_result is not None:
            on_result(result)

    return run_checks(specs, options, on_result=deliver, cancel=cancel)


def _with_new_devices(result: Result, case: Case) -> Result:
    """Which devices the case has not seen before (by MAC, else by address)."""
    from dataclasses import replace

    from checks import household

    earlier = [r for r in case.history() if r.id == "NET-DEVICES"]
    devices = result.facts.get("devices") if isinstance(result.facts, dict) else None
    if not earlier or not isinstance(devices, list) or result.reason != "devices":
        return result
    seen = [d for r in earlier for d in r.facts.get("devices") or [] if isinstance(d, dict)]
    new = household.mark_new(devices, seen)
    if not new:
        return result
    params = dict(result.params)
    params["new"] = new
    new_by_ip = {d.get("ip") for d in devices if d.get("new")}
    params["devices"] = [{**d, "new": d.get("ip") in new_by_ip} for d in params.get("devices", [])]
    return replace(result, reason="devices_new", params=params)


# --- the provider's notice ---------------------------------------------------------------------


@dataclass
class NoticeOutcome:
    analysis: Any  # checks.notice.Analysis
    results: list[Result]
    document: dict[str, Any]

    @property
    def readable(self) -> bool:
        return bool(self.analysis.readable)


def power_events(platform: str, ctx=None) -> dict:
    """The boot, shutdown and sleep records NOTICE-UPTIME compares the notice's times with."""
    from checks.context import CheckContext
    from checks.probes import power

    ctx = ctx or CheckContext()
    try:
        if platform == "windows":
            return power.windows_events(ctx)
        if platform == "macos":
            return power.macos_events(ctx)
        return power.linux_events(ctx)
    except OSError as exc:
        return {"events": [], "sources": {"error": str(exc)}}


def read_notice(
    case: Case | None,
    data: bytes,
    public_ip: str | list[str] | None = None,
    zone: tzinfo | None = None,
    power: dict | None = None,
) -> NoticeOutcome:
    """NOTICE-SOURCE and NOTICE-UPTIME from the notice; saved to the case (analysis, results
    and the text as given) in one update, and only when something usable was read.

    The line is every address the user gave plus what this case's NET-NAT saw (this PC's global
    addresses, the router's WAN address, carrier-grade NAT)."""
    from checks import notice, uptime
    from checks.model import current_platform

    zone = zone or datetime.now().astimezone().tzinfo
    nat = _nat_facts(case)
    analysis = notice.analyse(data, public_ip=public_ip, local_zone=zone, nat_facts=nat)
    source = notice.to_result(analysis)
    if power is None:
        power = power_events(current_platform())
    up = uptime.interpret(power, analysis.claim.get("times", []), zone)
    stamped = [_stamp(source), _stamp(up)]
    document = {**analysis.to_dict(), "results": [r.to_dict() for r in stamped]}
    outcome = NoticeOutcome(analysis, stamped, document)
    if case is not None and outcome.readable:
        journal = journal_for_times(analysis.claim.get("times", []), zone)
        with case.update() as u:
            u.set_notice(
                {k: v for k, v in document.items() if k != "results"},
                data.decode("utf-8", errors="replace"),
            )
            u.add_results(stamped)
            if journal is not None:
                u.set_journal(journal)
    return outcome


def notice_again(case: Case) -> Result | None:
    """NOTICE-SOURCE read again now that NET-NAT is in the case, when a notice was read before
    it (the window reads the notice at step 1 and checks the line at step 2; so does the
    README's order of commands): carrier-grade NAT or this PC's own addresses may change what the
    notice's addresses say about the line, and a `forged` read without them would stand beside
    a CGNAT paragraph. The same text, the same addresses the user gave, the same zone for times
    that named none; the notice's times, NOTICE-UPTIME and the journal are left as they are."""
    from checks import notice

    doc, text = case.notice(), case.notice_text()
    if not isinstance(doc, dict) or not text:
        return None
    line = doc.get("line") if isinstance(doc.get("line"), dict) else {}
    given = [
        str(a["ip"])
        for a in line.get("addresses") or []
        if isinstance(a, dict) and a.get("source") == "given" and a.get("ip")
    ]
    analysis = notice.analyse(
        text.encode("utf-8"),
        public_ip=given or None,
        local_zone=_zone_read_in(doc) or datetime.now().astimezone().tzinfo,
        nat_facts=_nat_facts(case),
    )
    if not analysis.readable or analysis.to_dict().get("line") == line:
        return None  # NET-NAT told nothing new about the line: the first reading stands
    source = _stamp(notice.to_result(analysis))
    with case.update() as u:
        u.set_notice(analysis.to_dict(), text)
        u.add_results([source])
    return source


def _zone_read_in(doc: dict) -> tzinfo | None:
    """The zone a notice's times without a zone of their own were read in (the offset of the
    first such time), so that reading it again gives the same times."""
    claim = doc.get("claim") if isinstance(doc.get("claim"), dict) else {}
    for t in claim.get("times") or []:
        if isinstance(t, dict) and t.get("zone_assumed") and t.get("notice_local"):
            try:
                return datetime.fromisoformat(str(t["notice_local"])).tzinfo
            except ValueError:
                continue
    return None


def _nat_facts(case: Case | None) -> dict | None:
    if case is None:
        return None
    for result in reversed(case.results()):
        if result.id == "NET-NAT":
            return dict(result.facts)
    return None


# --- the journal ------------------------------------------------------------------------------

# The notice's times are approximate and clocks differ: the journal is read this much before
# and after the reported window (the letter names the range actually read).
JOURNAL_MARGIN_MIN = 10


def notice_window(times: list[dict]) -> tuple[datetime, datetime] | None:
    """The reported window (earliest time to latest end) from the notice's times."""
    moments: list[datetime] = []
    for t in times or []:
        for key in ("utc", "end_utc"):
            try:
                if t.get(key):
                    moments.append(datetime.fromisoformat(t[key]))
            except (TypeError, ValueError, AttributeError):
                continue
    if not moments:
        return None
    return min(moments), max(moments)


def journal_for_times(times: list[dict], zone: tzinfo | None) -> dict | None:
    """The journal around the notice's window, when this machine keeps one; None otherwise
    (and when it cannot be read: the notice is still read)."""
    import sqlite3
    from datetime import timedelta

    from journal import export, paths
    from journal.store import JournalError

    window = notice_window(times)
    db = paths.db_for_reading()
    if window is None or db is None:
        return None
    margin = timedelta(minutes=JOURNAL_MARGIN_MIN)
    try:
        doc = export.window_doc(db, window[0] - margin, window[1] + margin, zone)
    except (JournalError, OSError, sqlite3.DatabaseError, export.WindowTooLarge):
        return None
    doc["reported"] = {
        "from": window[0].astimezone(zone).isoformat(),
        "to": window[1].astimezone(zone).isoformat(),
    }
    return doc


def record_journal(
    case: Case, db: Path, start: datetime, end: datetime, zone: tzinfo | None = None
) -> dict:
    """`journal export`: a range of the journal into the case (replacing an earlier one)."""
    from journal import export

    doc = export.window_doc(db, start, end, zone)
    with case.update() as u:
        u.set_journal(doc)
    return doc


def _stamp(result: Result) -> Result:
    """The result with the time it was made. A copy rather than dataclasses.replace: its values
    are JSON values already, and a capture's facts (every destination) are large to convert
    again."""
    import copy

    if result.started_at:
        return result
    stamped = copy.copy(result)
    object.__setattr__(stamped, "started_at", datetime.now().astimezone())
    return stamped


# --- captures ---------------------------------------------------------------------------------


def finish_capture(case: Case | None, summary: dict) -> list[Result]:
    """A live capture's summary: TRAFFIC-SMTP and TRAFFIC-MX for this PC, saved once."""
    from checks import traffic

    results = [
        _stamp(r)
        for r in traffic.results_for(summary, True, summary.get("iface") or "all", "iface")
    ]
    if case is not None:
        with case.update() as u:
            u.set_capture(summary)
            u.add_results(results)
    return results


class CaptureUnreadable(ValueError):
    pass


def analyze_capture(
    case: Case | None,
    path: str | Path,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[dict, list[Result]]:
    """A capture made elsewhere: results per host on the line, saved once. Only a regular file
    is read (a FIFO or a device would never end), and reading stops at pcapfile's limits, which
    the summary then names. ``progress(frames, bytes read)`` about once a second."""
    import os
    import time

    from checks import pcapfile, prefilter, safefile, traffic
    from checks.analyzer import Analyzer

    with safefile.open_regular(path) as fp:
        deadline = time.monotonic() + pcapfile.MAX_SECONDS
        analyzer = Analyzer()
        # libpcap's filter in front when it can promise the same answer; else all in Python.
        reader = prefilter.feed_file(path, fp, analyzer, progress, deadline=deadline)
        if reader is None:
            fp.seek(0)
            seconds = max(1.0, deadline - time.monotonic())
            reader = pcapfile.Reader(fp, max_seconds=seconds, progress=progress)
            analyzer = Analyzer()
            try:
                for ts, packet in reader.packets():
                    analyzer.feed(ts, packet)
            except pcapfile.PcapError as exc:
                raise CaptureUnreadable(str(exc)) from None
    summary = analyzer.summary(by_host=True)
    del analyzer  # its flows are in the summary now: their memory serves the results
    summary.update(
        file=str(path),
        frames=reader.frames,
        frames_not_ip=reader.skipped,
        frames_hiding=reader.hidden,
        frames_undecoded=reader.undecoded,
        undecoded_link_types=sorted(reader.undecoded_linktypes),
        warnings=reader.warnings,
    )
    if reader.hidden:  # frames that are not IP as read, but could carry it: unread, not skipped
        summary["unread"] = {**(summary.get("unread") or {}), "not_ip": reader.hidden}
    if reader.limit:
        summary["read_limit"] = reader.limit
    if reader.frames == 0:
        return summary, []
    results = [_stamp(r) for r in traffic.results_for(summary, False, os.path.basename(path))]
    if case is not None:
        with case.update() as u:
            u.set_capture(summary)
            u.add_results(results)
    return summary, results


# --- the user's details and fixes -------------------------------------------------------------


def parse_done(items: Iterable[str], now: datetime | None = None) -> list[tuple[str, str]]:
    """``STEP`` or ``STEP=YYYY-MM-DD`` (or an ISO date-time) -> (step, when); raises CaseError
    for an unknown step or a bad or future date, before anything is written."""
    from cases.store import check_step

    now = now or datetime.now().astimezone()
    parsed = []
    for item in items:
        step, _sep, when = item.partition("=")
        step = step.strip().lower()
        when = when.strip() or now.isoformat(timespec="seconds")
        check_step(step, when, now)
        parsed.append((step, when))
    return parsed


def record_details(
    case: Case, details: dict[str, str | None], done: Iterable[str] = (), undo: Iterable[str] = ()
) -> None:
    """Validate everything, then write the details and steps together."""
    steps = parse_done(done)
    with case.update() as u:
        u.set_details(**details)
        for step, when in steps:
            u.mark_done(step, when)
        for step in undo:
            u.undo_step(step)


# --- documents ---------------------------------------------------------------------------------


@dataclass
class LetterOutcome:
    model: Any  # reports.viewmodel.LetterModel
    text: str  # the letter as generated now
    edited: str | None = None  # the user's own version, if any
    stale: bool = False  # the facts changed after the user edited it
    warnings: list[str] = field(default_factory=list)


def letter(
    case: Case, lang: str, zone: tzinfo | None = None, today: datetime | None = None
) -> LetterOutcome:
    import hashlib

    from reports import report, viewmodel

    model = viewmodel.build(case, lang, zone, today)
    text = report.render_letter(model)
    edited = case.edited_letter(lang)
    base = case.edited_letter_base(lang)
    stale = bool(
        edited is not None and base and base != hashlib.sha256(text.encode("utf-8")).hexdigest()
    )
    return LetterOutcome(model, text, edited, stale)


def save_edited_letter(case: Case, lang: str, text: str | None, base: str | None = None) -> None:
    with case.update() as u:
        u.set_edited_letter(lang, text, base)


def support_summary(case: Case, lang: str) -> list[str]:
    from reports import summary

    return summary.lines(case, lang)


def reply_document(case: Case, lang: str, mask_paths: bool = False) -> dict[str, Any]:
    """reply.json as a bundle made now would carry it (without the PDF, which only the written
    bundle holds): for `letter --format xarf`, a desk's tools' view of the case."""
    import json

    from reports import bundle

    plan = bundle.plan(case, lang, mask_paths=mask_paths, with_pdf=False)
    return json.loads(plan.files["reply.json"])


def self_help_answers(case: Case, lang: str) -> str:
    """The two answers a desk's self-help form asks for (what was done; what keeps it from
    happening again), in ``lang``, ready to paste: reply.json's own, so the form, the letter
    and the desk's tools say the same."""
    from checks import i18n

    answers = reply_document(case, lang)["x_clearline"]["self_help"][lang]
    return "\n\n".join(
        [
            i18n.gettext_in(lang, i18n.N_("What was done:")),
            answers["what_was_done"],
            i18n.gettext_in(lang, i18n.N_("What keeps it from happening again:")),
            answers["what_prevents_recurrence"],
        ]
    )
