"""The assessment: the one typed answer built from everything in a case.

The letter, the report, the support summary and the window's step 5 all read this object; none
of them looks at results on its own. It answers: what was seen sending mail and where (this PC,
another device on the line, the provider's mail server through a stolen password, nowhere: a
forged sender), whether it is still happening, what was done and when, whether a clean
observation after the fixes exists, and what the notice claims.

Its promises (tested over generated cases in tests/unit/test_assessment_properties.py):
- ``nothing_found`` is True only when no mail evidence in the case's whole history is ``fail``
  or ``warn``: a later pass never erases an earlier problem;
- ``removed`` is True only when a removal or reinstall step is recorded AND a clean watch or
  capture of at least MIN_CLEAN_OBSERVATION ran after that step and after the last sighting;
- the journal speaks only for the time it provably ran: ``journal.running`` holds nothing its
  heartbeats do not vouch for, and a program it recorded on port 25 is a sighting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from cases.store import REMEDIATION_STEPS, Case, parse_step_time
from checks import catalogue, evidence
from checks.claim_doc import Claim
from checks.evidence import LINE, THIS_PC, Observation, Sighting
from checks.model import SEVERITY, Result, Status

MAIL_EVIDENCE = catalogue.ids(role=catalogue.MAIL)
REMOVAL_STEPS = ("removal", "reinstall")
MIN_CLEAN_OBSERVATION = timedelta(minutes=5)

# Where the mail came from, as the assessment concludes it.
ACCOUNT, FORGED, NOWHERE, UNDETERMINED = (
    "account",
    "forged",
    "nowhere",
    "undetermined",
)
# The letter's kinds: which paragraphs it needs.
CLEAN, SUSPICIOUS, INFECTED, KIND_FORGED, KIND_ACCOUNT = (
    "clean",
    "suspicious",
    "infected",
    "forged",
    "account",
)


@dataclass(frozen=True)
class Step:
    name: str
    at: datetime  # the latest moment the step may have happened (end of day for a bare date)
    date_only: bool
    recorded: str  # as recorded


@dataclass(frozen=True)
class CheckLine:
    """One check as the letter lists it: its latest result and whether it failed earlier."""

    result: Result
    failed_before: bool
    after_fixes: bool


@dataclass(frozen=True)
class JournalView:
    """What the outbound-mail journal recorded around the notice's time (journal.json)."""

    start: datetime  # the range read (the reported window with a margin)
    end: datetime
    reported: tuple[datetime, datetime] | None
    complete: bool  # running throughout the range
    full_capture: bool  # and seeing every attempt (not polling)
    poll_interval_s: float | None
    running: tuple[tuple[datetime, datetime, str], ...]
    gaps: tuple[tuple[datetime, datetime], ...]
    port25: tuple[dict[str, Any], ...]  # connections to port 25 by anything but a mail server
    other_mail: int  # connections to the other mail ports (a mail client sending normally)
    mx: int
    intact: bool  # the records verify (chain, heads outside the file): it may be cited
    problem: str = ""  # why it may not be (the verification's words)
    mail_servers: tuple[str, ...] = ()  # believed mail servers that connected to port 25
    head: str = ""  # the hash of the segment's last record: the commitment the letter prints

    @property
    def partial(self) -> bool:
        return not self.full_capture


@dataclass(frozen=True)
class NoticeView:
    verdict: str
    reference: str
    deciding_ip: str
    deciding_hop: dict[str, Any]
    claim: Claim
    asks: tuple[str, ...]
    auth_results: dict[str, str]
    explanation_code: str
    line: str = ""  # the line's addresses as the words show them
    # The address the deciding hop names is known not to be the line's (checks/line_identity.py
    # LineIdentity.elsewhere): a login from it did not come through this line.
    deciding_ip_elsewhere: bool = False


@dataclass(frozen=True)
class Assessment:
    kind: str
    origin: str
    sightings: tuple[Sighting, ...]
    primary: Sighting | None
    nothing_found: bool
    ongoing: bool | None  # True: seen after the last fix (or no fix); False: clean after; None
    steps: tuple[Step, ...]
    removal_recorded: bool
    clean_after_fix: Observation | None
    removed: bool
    observations: tuple[Observation, ...]
    scope: Observation | None  # the clean observation to cite (the longest, newest)
    notice: NoticeView | None
    uptime: Result | None
    checks: tuple[CheckLine, ...]
    clock: Result | None
    cgnat: bool
    blocklisted: bool
    other_devices_checked: bool
    evidence: dict[str, str] = field(default_factory=dict)  # check ID -> latest status
    journal: JournalView | None = None

    @property
    def uptime_off_everywhere(self) -> bool:
        return self.uptime is not None and self.uptime.status == Status.PASS

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """Machine-readable, for the bundle (times in the user's zone, ISO 8601)."""

        def t(value: datetime | None) -> str | None:
            if value is None:
                return None
            return (value.astimezone(zone) if zone else value).isoformat()

        return {
            "kind": self.kind,
            "origin": self.origin,
            "nothing_found": self.nothing_found,
            "ongoing": self.ongoing,
            "removed": self.removed,
            "removal_recorded": self.removal_recorded,
            "primary": _sighting_dict(self.primary, t) if self.primary else None,
            "sightings": [_sighting_dict(s, t) for s in self.sightings],
            "steps": [
                {"step": s.name, "recorded": s.recorded, "latest_time": t(s.at)} for s in self.steps
            ],
            "clean_after_fix": _observation_dict(self.clean_after_fix, t),
            "scope": _observation_dict(self.scope, t),
            "observations": [_observation_dict(o, t) for o in self.observations],
            "evidence": self.evidence,
            "checks": [_check_dict(c, t) for c in self.checks],
            "uptime_answers": [
                {k: (t(_dt(v)) if k in ("since", "until") else v) for k, v in a.items()}
                for a in _dicts(self.uptime.facts.get("answers"))
            ]
            if self.uptime is not None
            else [],
            "notice_verdict": self.notice.verdict if self.notice else None,
            "cgnat": self.cgnat,
            "blocklisted": self.blocklisted,
            "journal": _journal_dict(self.journal, t),
        }


def _sighting_dict(s: Sighting, t) -> dict[str, Any]:
    return {
        "check": s.check_id,
        "status": str(s.status),
        "reason": s.reason,
        "where": s.where,
        "program": s.program,
        "path": s.path,
        "pid": s.pid,
        "host": s.host,
        "mail_servers_port_25": s.servers,
        "destinations": s.destinations,
        "port": s.port,
        "first_seen": t(s.first_seen),
        "last_seen": t(s.last_seen),
        "checked_at": t(s.seen_at),
    }


def _observation_dict(o: Observation | None, t) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "source": o.source,
        "where": o.where,
        "from": t(o.start),
        "to": t(o.end),
        "minutes": round(o.length.total_seconds() / 60, 1),
        "clean": o.clean,
    }


def _check_dict(c: CheckLine, t) -> dict[str, Any]:
    r = c.result
    return {
        "id": r.id,
        "status": str(r.status),
        "started_at": t(r.started_at),
        "ended_at": t(
            r.started_at + timedelta(milliseconds=r.duration_ms) if r.started_at else None
        ),
        "failed_before": c.failed_before,
    }


_dt, _int, _list, _dicts = evidence.as_time, evidence.as_int, evidence.as_list, evidence.dicts


def _journal(doc: dict | None) -> JournalView | None:
    """The journal range saved in the case; None when there is none or it cannot be read."""
    if not isinstance(doc, dict):
        return None
    cov = doc.get("coverage") if isinstance(doc.get("coverage"), dict) else {}
    window = doc.get("window") if isinstance(doc.get("window"), dict) else {}
    start, end = _dt(window.get("from")), _dt(window.get("to"))
    if start is None or end is None:
        return None
    running = [(a, b, str(item.get("mode") or "")) for item, a, b in _spans(cov.get("running"))]
    gaps = [(a, b) for _item, a, b in _spans(cov.get("gaps"))]
    events = _dicts(doc.get("events"))
    port25 = [
        e
        for e in events
        if e.get("kind") == "connect" and _int(e.get("rport")) == 25 and _bad_on_port25(e)
    ]
    reported = doc.get("reported") if isinstance(doc.get("reported"), dict) else {}
    r_from, r_to = _dt(reported.get("from")), _dt(reported.get("to"))
    proof = doc.get("proof") if isinstance(doc.get("proof"), dict) else {}
    checked = doc.get("verification") if isinstance(doc.get("verification"), dict) else None
    # A journal that does not verify is cited for nothing: not its running time, not its events.
    trusted = checked.get("trusted") is True if checked else proof.get("segment_intact") is True
    problem = "" if trusted else journal_problem(checked, proof)

    if not trusted:
        running, gaps, port25 = [], [(start, end)], []
    servers = _mail_servers(events)
    segment = proof.get("segment_head") if isinstance(proof.get("segment_head"), dict) else {}
    try:
        interval = float(doc["poll_interval_s"]) if doc.get("poll_interval_s") else None
    except (TypeError, ValueError):
        interval = None
    complete = bool(cov.get("complete")) and bool(running) and not gaps
    return JournalView(
        start=start,
        end=end,
        reported=(r_from, r_to) if r_from and r_to else None,
        complete=complete,
        full_capture=complete and all(m == "capture" for _a, _b, m in running),
        poll_interval_s=interval,
        running=tuple(running),
        gaps=tuple(gaps),
        port25=tuple(port25),
        other_mail=sum(1 for e in events if e.get("kind") == "connect") - len(port25)
        if trusted
        else 0,
        mx=sum(1 for e in events if e.get("kind") == "mx") if trusted else 0,
        intact=trusted,
        problem=problem,
        mail_servers=tuple(servers) if trusted else (),
        head=str(segment.get("hash") or "") if trusted else "",
    )


def _spans(value: Any) -> list[tuple[dict, datetime, datetime]]:
    """Each {from, to} item with both times readable."""
    out = []
    for item in _dicts(value):
        a, b = _dt(item.get("from")), _dt(item.get("to"))
        if a and b:
            out.append((item, a, b))
    return out


def _mail_servers(events: list[dict]) -> list[str]:
    """The believed mail servers on this PC that connected to port 25 (not sightings)."""
    return sorted(
        {
            str((e.get("program") or {}).get("name") or "")
            for e in events
            if isinstance(e.get("program"), dict)
            and e.get("kind") == "connect"
            and _int(e.get("rport")) == 25
            and not _bad_on_port25(e)
        }
        - {""}
    )


def journal_problem(checked: dict | None, proof: dict) -> str:
    if not checked:
        return "the records do not follow one another"
    if checked.get("recheck"):
        return str(checked["recheck"])
    for part in ("keeper", "chain", "heads"):
        found = checked.get(part) if isinstance(checked.get(part), dict) else {}
        if found.get("ok") is False:
            return str(found.get("detail") or found.get("problem") or "")
    if not checked.get("segment_intact"):
        return "the records do not follow one another"
    return "the records could not be tied to the heads written when they were made"


def _bad_on_port25(event: dict) -> bool:
    """Port 25 is for mail servers: any other program there, or one whose owner we could not
    see, or a mail server run from an odd place, or one not verified to be the file at its path
    (another namespace, another file, gone before it could be checked), is sending as a bot
    does."""
    from journal.coverage import believed_mail_server

    program = event.get("program") if isinstance(event.get("program"), dict) else {}
    return not believed_mail_server(program)


def _journal_sightings(view: JournalView | None) -> list[Sighting]:
    if view is None:
        return []
    groups: dict[tuple, list[dict]] = {}
    for e in view.port25:
        program = e.get("program") if isinstance(e.get("program"), dict) else {}
        key = (program.get("exe") or program.get("name"), _int(program.get("pid")))
        groups.setdefault(key, []).append(e)
    out = []
    for (_who, pid), events in groups.items():
        program = events[0].get("program") if isinstance(events[0].get("program"), dict) else {}
        times = sorted(t for t in (_dt(e.get("time")) for e in events) if t)
        status = Status.WARN if program.get("kind") == "mail_client" else Status.FAIL
        out.append(
            Sighting(
                "JOURNAL",
                status,
                "journal_port25",
                THIS_PC,
                program=program.get("name") or None,
                path=program.get("exe") or None,
                pid=pid,
                servers=len({e.get("remote") for e in events}),
                destinations=len(events),
                port=25,
                first_seen=times[0] if times else None,
                last_seen=times[-1] if times else None,
                seen_at=times[-1] if times else None,
            )
        )
    return out


def _journal_observations(view: JournalView | None) -> list[Observation]:
    if view is None:
        return []
    out = []
    for a, b, mode in view.running:
        bad = any(a <= t <= b for t in (_dt(e.get("time")) for e in view.port25) if t)
        out.append(
            Observation("journal" if mode == "capture" else "journal_poll", THIS_PC, a, b, not bad)
        )
    return out


def _journal_dict(view: JournalView | None, t) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "from": t(view.start),
        "to": t(view.end),
        "reported": {"from": t(view.reported[0]), "to": t(view.reported[1])}
        if view.reported
        else None,
        "complete": view.complete,
        "every_attempt_seen": view.full_capture,
        "poll_interval_s": view.poll_interval_s,
        "running": [{"from": t(a), "to": t(b), "mode": m} for a, b, m in view.running],
        "gaps": [{"from": t(a), "to": t(b)} for a, b in view.gaps],
        "verified": view.intact,
        "problem": view.problem,
        "head": view.head,
        "port25_connections": len(view.port25),
        "other_mail_connections": view.other_mail,
        "mx_lookups": view.mx,
        "proof_intact": view.intact,
    }


sightings_of = evidence.sightings_of


def _rank(s: Sighting) -> tuple:
    """Which sighting the letter names: a problem before a warning, an identified program before
    an unknown one, sending over listening, the most mail servers, then the most recent."""
    return (
        SEVERITY[s.status],
        s.where == THIS_PC,
        s.identified,
        s.kind == evidence.SENDING,
        s.servers,
        s.latest or datetime.min.replace(tzinfo=UTC),
    )


def _steps(remediation: dict[str, str], zone: tzinfo) -> list[Step]:
    steps = []
    for name in REMEDIATION_STEPS:
        if name not in remediation:
            continue
        try:
            at, date_only = parse_step_time(remediation[name])
        except ValueError:
            continue
        if date_only:
            # A bare date says only "that day": count it as done at the day's end, so that a watch
            # earlier that day is never taken for a check after the fix.
            day = at.date()
            at = datetime.combine(day, time(23, 59, 59), tzinfo=zone)
        steps.append(Step(name, at, date_only, remediation[name]))
    return steps


# --- the notice --------------------------------------------------------------------------------


def _notice(notice: dict | None, details: dict[str, str]) -> NoticeView | None:
    if not notice:
        return None
    claim = Claim.from_dict(notice.get("claim"))
    hop = notice.get("deciding_hop") if isinstance(notice.get("deciding_hop"), dict) else {}
    sample = notice.get("sample") if isinstance(notice.get("sample"), dict) else {}
    auth = sample.get("authentication_results")
    from checks.notice import line_of

    line = line_of(notice)
    return NoticeView(
        verdict=str(notice.get("verdict") or "unknown"),
        reference=details.get("reference") or claim.reference or "",
        deciding_ip=str(notice.get("deciding_ip") or ""),
        deciding_hop=hop,
        claim=claim,
        asks=tuple(str(a) for a in _list(notice.get("ask_provider"))),
        auth_results={str(k): str(v) for k, v in auth.items()} if isinstance(auth, dict) else {},
        explanation_code=str(notice.get("explanation_code") or ""),
        line=line.shown(),
        deciding_ip_elsewhere=line.elsewhere(str(notice.get("deciding_ip") or "")),
    )


# --- the whole -----------------------------------------------------------------------------------


def assess(case: Case, zone: tzinfo | None = None) -> Assessment:
    """Build the assessment from everything in ``case``."""
    zone = zone or datetime.now().astimezone().tzinfo or UTC
    latest = {r.id: r for r in case.results()}
    history = case.history() or list(latest.values())
    return build(
        latest=latest,
        history=history,
        remediation=case.remediation(),
        notice=case.notice(),
        details=case.details(),
        zone=zone,
        journal=_rechecked(case.journal()),
    )


def _rechecked(doc: dict | None) -> dict | None:
    """The case's journal range, checked again as it is read: a case folder is the user's (and
    so any program's running as the user), and its journal.json said "trusted" when it was
    exported. Records that no longer chain, or words (events, coverage) that are no longer what
    the records hold, make it untrusted, with the reason."""
    checked = doc.get("verification") if isinstance(doc, dict) else None
    if not isinstance(checked, dict) or checked.get("trusted") is not True:
        return doc
    from journal.export import recheck

    problem = recheck(doc)
    if problem is None:
        return doc
    return {**doc, "verification": {**checked, "trusted": False, "recheck": problem}}


def build(
    *,
    latest: dict[str, Result],
    history: list[Result],
    remediation: dict[str, str],
    notice: dict | None,
    details: dict[str, str],
    zone: tzinfo,
    journal: dict | None = None,
) -> Assessment:
    """The one answer, built from one pure function per part of it."""
    journal_view = _journal(journal)
    sightings = _unique_sightings(
        [s for r in history for s in sightings_of(r)] + _journal_sightings(journal_view)
    )
    primary = sightings[0] if sightings else None
    steps = _steps(remediation, zone)
    removal_steps = [s for s in steps if s.name in REMOVAL_STEPS]
    observations = sorted(
        evidence.observations_of(history) + _journal_observations(journal_view),
        key=lambda o: o.start,
    )
    last_bad = max((s.latest for s in sightings if s.latest), default=None)
    clean_after_fix = _clean_after_fix(removal_steps, observations, last_bad)
    removed = bool(removal_steps) and clean_after_fix is not None
    notice_view = _notice(notice, details)
    kind, origin = _kind_and_origin(sightings, primary, notice_view, observations)
    nat = latest.get("NET-NAT")
    blocklist = latest.get("NET-BLOCKLIST")
    return Assessment(
        kind=kind,
        origin=origin,
        sightings=tuple(sightings),
        primary=primary,
        nothing_found=not sightings
        and not any(
            r.status in (Status.FAIL, Status.WARN) for r in history if r.id in MAIL_EVIDENCE
        ),
        ongoing=_ongoing(sightings, removed, steps, last_bad),
        steps=tuple(steps),
        removal_recorded=bool(removal_steps),
        clean_after_fix=clean_after_fix,
        removed=removed,
        observations=tuple(observations),
        scope=_scope(observations, last_bad),
        notice=notice_view,
        uptime=latest.get("NOTICE-UPTIME"),
        checks=_check_lines(latest, history, steps),
        clock=latest.get("CLOCK-SYNC"),
        cgnat=bool(nat and nat.facts.get("cgnat")),
        blocklisted=bool(blocklist and blocklist.status == Status.FAIL),
        other_devices_checked=any(o.where == LINE for o in observations),
        evidence={rid: str(latest[rid].status) for rid in MAIL_EVIDENCE if rid in latest},
        journal=journal_view,
    )


def _unique_sightings(sightings: list[Sighting]) -> list[Sighting]:
    """The same program seen by several watches is one sighting, kept at its latest; the most
    telling first (_rank)."""
    unique: dict[tuple, Sighting] = {}
    for s in sightings:
        key = (s.check_id, s.where, s.program, s.path, s.host, s.reason, s.port)
        if key not in unique or (s.latest or datetime.min.replace(tzinfo=UTC)) >= (
            unique[key].latest or datetime.min.replace(tzinfo=UTC)
        ):
            unique[key] = s
    return sorted(unique.values(), key=_rank, reverse=True)


def _clean_after_fix(
    removal_steps: list[Step], observations: list[Observation], last_bad: datetime | None
) -> Observation | None:
    """The longest clean watch or capture of MIN_CLEAN_OBSERVATION or more that began after
    the last removal and after the last sighting. A removal recorded before the program was
    last seen did not remove it: a quiet watch after that sighting is a pause between bursts,
    not proof of a fix."""
    fixed_at = max((s.at for s in removal_steps), default=None)
    if fixed_at is None or (last_bad is not None and fixed_at < last_bad):
        return None
    after = [
        o
        for o in observations
        if o.clean
        and o.start >= fixed_at
        and (last_bad is None or o.start > last_bad)
        and o.length >= MIN_CLEAN_OBSERVATION
        and o.source in ("watch", "capture", "journal")
    ]
    return max(after, key=lambda o: (o.length, o.end), default=None)


def _ongoing(
    sightings: list[Sighting], removed: bool, steps: list[Step], last_bad: datetime | None
) -> bool | None:
    if not sightings:
        return None
    if removed:
        return False
    # Seen again after the last fix: still happening whatever was done.
    if steps and last_bad and last_bad > max(s.at for s in steps):
        return True
    return True if not steps else None


def _scope(observations: list[Observation], last_bad: datetime | None) -> Observation | None:
    """The clean observation the letter cites: not a snapshot if a watch exists, the longest,
    the newest. The journal has a paragraph of its own, so it is not the checks' scope."""
    clean = [
        o
        for o in observations
        if o.clean
        and (last_bad is None or o.start > last_bad)
        and not o.source.startswith("journal")
    ]
    return max(clean, key=lambda o: (o.source != "snapshot", o.length, o.end), default=None)


def _kind_and_origin(
    sightings: list[Sighting],
    primary: Sighting | None,
    notice_view: NoticeView | None,
    observations: list[Observation],
) -> tuple[str, str]:
    """The letter's kind and where the mail came from: what was seen wins over the notice."""
    if sightings and primary is not None:
        kind = INFECTED if any(s.status == Status.FAIL for s in sightings) else SUSPICIOUS
        return kind, primary.where
    if notice_view and notice_view.verdict == "account":
        return KIND_ACCOUNT, ACCOUNT
    if notice_view and notice_view.verdict == "forged":
        return KIND_FORGED, FORGED
    return CLEAN, (NOWHERE if observations else UNDETERMINED)


def _check_lines(
    latest: dict[str, Result], history: list[Result], steps: list[Step]
) -> tuple[CheckLine, ...]:
    failed_before = {r.id for r in history if r.status == Status.FAIL}
    last_step = max((s.at for s in steps), default=None)
    return tuple(
        CheckLine(
            r,
            failed_before=r.id in failed_before and r.status != Status.FAIL,
            after_fixes=bool(last_step and r.started_at and r.started_at > last_step),
        )
        for r in latest.values()
        if r.status != Status.SKIPPED and not r.id.startswith("NOTICE-")
    )
