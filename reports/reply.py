"""reply.json: the subscriber's answer as an abuse desk's tools read it.

XARF v4 has no reply type, so the document reuses the core fields of XARF v4
(reports/schemas/xarf-core.json, vendored from xarf/xarf-spec at commit 37820dace8ac, MIT) so
that any XARF reader parses it, and puts everything that is Clearline's own into one extension
object, ``x_clearline`` (reports/schemas/clearline-reply.json). docs/reply-json.md explains each
field with an example.

Built from the same assessment as the letter, and from the bundle's own bytes: the evidence
hashes are those of the files beside it in the zip."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, tzinfo
from typing import Any

from cases import assessment as A
from cases.store import Case
from checks import i18n
from checks.claim_doc import Claim
from checks.i18n import N_

XARF_VERSION = "4.0.0"
EXTENSION_VERSION = 3  # 2: verdict.suspects; 3: in_reply_to's times_zone_assumed, shared_address
FILE_NAME = "reply.json"
MAX_XARF_SIZE = 5 * 1024 * 1024  # xarf-core.json: an evidence item's size is at most 5 MB

CONTENT_TYPES = {
    ".txt": "text/plain",
    ".html": "text/html",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".pcap": "application/vnd.tcpdump.pcap",
}

# How sure the verdict is, by the letter's kind: proof of a sender (a program seen sending, or
# headers that show another sender) is strong; "nothing found here" covers only what was
# watched (this PC, these hours), and the other kinds name what is still open.
CONFIDENCE = {
    A.INFECTED: 0.9,
    A.KIND_FORGED: 0.9,
    A.KIND_ACCOUNT: 0.7,
    A.SUSPICIOUS: 0.5,
    A.CLEAN: 0.5,
}

ACTIONS = {
    "disconnect": N_("Disconnected the PC from the network on {date}."),
    "scan": N_("Ran a full virus scan on {date}."),
    "removal": N_("Removed the program that sent the mail on {date}."),
    "reinstall": N_("Reinstalled the operating system on {date}."),
    "updates": N_("Installed the system's updates on {date}."),
    "password": N_("Changed the mail password from another, clean device on {date}."),
    "router": N_("Changed the router's administrator password and updated it on {date}."),
}
PREVENTION = {
    "updates": N_("The system's updates are installed."),
    "password": N_("The mail password was changed, so a stolen one no longer works."),
    "router": N_("The router's administrator password was changed."),
    "antivirus": N_("Antivirus protection is on and up to date."),
    "firewall": N_("The firewall is on."),
    "journal": N_(
        "Clearline's journal records every connection this PC makes to a mail server, so a"
        " recurrence would show in it."
    ),
}
NOTHING_DONE = N_("No step has been recorded yet.")
NOTHING_PREVENTS = N_("Nothing that prevents a recurrence has been recorded yet.")


def document(
    case: Case,
    a: A.Assessment,
    files: dict[str, bytes],
    descriptions: dict[str, str],
    lang: str,
    zone: tzinfo,
    now: datetime,
) -> dict[str, Any]:
    """The reply for ``files`` (every file of the bundle but reply.json and SHA256SUMS)."""
    details = case.details()
    claim = a.notice.claim if a.notice else Claim()  # the assessment's, parsed once
    contact = _contact(details)
    doc: dict[str, Any] = {
        "xarf_version": XARF_VERSION,
        "report_id": str(uuid.uuid4()),
        "timestamp": _incident_time(claim, now),
        "reporter": contact,
        "sender": contact,
        "source_identifier": _source(claim, a),
        "category": "messaging",  # or what the desk's report was (below)
        "type": "spam",
        "evidence": [_evidence(name, data, descriptions) for name, data in files.items()],
        "description": _description(a),
    }
    port = _first_port(claim)
    if port is not None:
        doc["source_port"] = port
    if claim.bot_report is not None:
        # The desk reported a bot, not spam: answered in kind (types/infrastructure-botnet.json),
        # whose required evidence of the compromise is the desk's own sentence, repeated.
        doc.update(category="infrastructure", type="botnet")
        doc["compromise_evidence"] = claim.bot_report["evidence"]
        if claim.bot_report.get("family"):
            doc["malware_family"] = str(claim.bot_report["family"]).lower()
    else:
        # messaging/spam (types/messaging-spam.json) needs a protocol, and with "smtp" the
        # spam's envelope sender and source port. Only the desk knows those: when its report
        # gave both they are repeated, otherwise the protocol is "other" rather than an invented
        # sender or port.
        sender = _envelope_sender(claim)
        if sender and port is not None:
            doc.update(protocol="smtp", smtp_from=sender)
        else:
            doc["protocol"] = "other"
    doc["x_clearline"] = _extension(case, a, claim, details, files, lang, zone, now)
    return doc


def _contact(details: dict[str, str]) -> dict[str, str]:
    """The subscriber as XARF's contact_info: what the user filled in, else reserved names
    (.invalid, RFC 2606) that say it was not given, as the bundle masks what is not given."""
    email = details.get("email") or ""
    domain = email.rpartition("@")[2] if "@" in email else ""
    return {
        "org": details.get("name") or "subscriber (name not given)",
        "contact": email if domain else "not-given@subscriber.invalid",
        "domain": domain or "subscriber.invalid",
    }


def _incident_time(claim: Claim, now: datetime) -> str:
    """The first time the desk's report gives (XARF's timestamp is the incident's), else the
    time the reply was made (x_clearline.timestamp_from says which)."""
    times = sorted(t.utc for t in claim.times if t.utc)
    return times[0] if times else now.isoformat()


def _source(claim: Claim, a: A.Assessment) -> str:
    for values in (claim.source_ips, claim.named_sources, claim.ips):
        values = tuple(v for v in values if v)
        if values:
            return values[0]
    if a.notice and a.notice.deciding_ip:
        return a.notice.deciding_ip
    return "unknown"


def _envelope_sender(claim: Claim) -> str:
    report = claim.feedback_report or {}
    value = str(report.get("Original-Mail-From") or "").strip().strip("<>").strip()
    return value if value.count("@") == 1 and " " not in value else ""


def _first_port(claim: Claim) -> int | None:
    report = claim.feedback_report or {}
    for value in [*claim.source_ports, report.get("Source-Port")]:
        try:
            port = int(value)
        except (TypeError, ValueError):
            continue
        if 1 <= port <= 65535:
            return port
    return None


def _evidence(name: str, data: bytes, descriptions: dict[str, str]) -> dict:
    """A bundle file as XARF evidence. The payload stays empty: the file travels beside
    reply.json in the same zip, named at the start of the description; the hash and size
    identify it."""
    what = descriptions.get(name, "")
    item: dict[str, Any] = {
        "content_type": CONTENT_TYPES.get(name[name.rfind(".") :], "application/octet-stream"),
        "description": f"{name}: {what}" if what else name,
        "payload": "",
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
    }
    if len(data) <= MAX_XARF_SIZE:
        item["size"] = len(data)
    return item


def _description(a: A.Assessment) -> str:
    return (
        "A subscriber's reply to an abuse report, made by Clearline: the verdict, the evidence"
        f" it rests on and the steps taken are in x_clearline (verdict: {a.kind})."
    )


def _suspects(a: A.Assessment) -> list[dict[str, Any]]:
    """Every household suspect, most likely first, with the codes of its clues
    (cases/suspects.py; the words are the letter's)."""
    from cases import suspects

    return [
        {
            "who": s.who,
            "standing": s.standing,
            "for": [c.code for c in s.clues_for],
            "against": [c.code for c in s.clues_against],
            "decided_by": s.decide,
        }
        for s in suspects.rank(suspects.facts_of(a))
    ]


def _verdict(a: A.Assessment) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "origin": a.origin,
        "notice_verdict": a.notice.verdict if a.notice else None,
        "ongoing": a.ongoing,
        # The sighting the letter names first, then each mail check's latest answer.
        "rests_on": (
            [{"finding": a.primary.check_id, "status": str(a.primary.status)}] if a.primary else []
        )
        + [
            {"finding": check_id, "status": status}
            for check_id, status in sorted(a.evidence.items())
        ]
        + (
            [{"finding": "NOTICE-SOURCE", "status": a.notice.verdict}]
            if a.notice and a.notice.verdict
            else []
        ),
        "suspects": _suspects(a),
    }


def _extension(
    case: Case,
    a: A.Assessment,
    claim: Claim,
    details: dict[str, str],
    files: dict[str, bytes],
    lang: str,
    zone: tzinfo,
    now: datetime,
) -> dict[str, Any]:
    times = [t for t in claim.times if t.utc]
    return {
        "version": EXTENSION_VERSION,
        "language": lang,
        "made": now.astimezone(zone).isoformat(),
        # XARF's core "confidence" (a number 0-1) is left out: the XARF project's own Python
        # library (xarf 1.0.0) types it as an integer and refuses the whole report for 0.9.
        "confidence": CONFIDENCE.get(a.kind, 0.5),
        "timestamp_from": "notice" if times else "reply_made",
        "in_reply_to": {
            "reference": details.get("reference") or (a.notice.reference if a.notice else ""),
            "provider": details.get("provider") or "",
            "notice_date": details.get("notice_date") or "",
            "reported_times": sorted(t.utc for t in times),
            "reported_sources": list(claim.source_ips),
            # Read in an assumed zone (the report gave none): the core timestamp is no more
            # exact than that, and the letter asks for the times with their zone.
            "times_zone_assumed": any(t.zone_assumed for t in times),
            # Behind carrier-grade NAT the address is many subscribers': the source port decides.
            "shared_address": a.cgnat,
        },
        "verdict": _verdict(a),
        "journal": _journal(a.journal, zone),
        "actions_taken": _actions(a, lang),
        "recurrence_prevention": _prevention(a, lang),
        "cleanup_status": _cleanup(a),
        "self_help": {
            code: {
                "what_was_done": _joined(_actions(a, code), NOTHING_DONE, code),
                "what_prevents_recurrence": _joined(_prevention(a, code), NOTHING_PREVENTS, code),
            }
            for code in i18n.CODES
        },
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in files.items()
        },
    }


def _journal(view: A.JournalView | None, zone: tzinfo) -> dict[str, Any] | None:
    """The journal's part of the complaint window: cited only as far as it verified."""
    if view is None:
        return None

    def t(value: datetime) -> str:
        return value.astimezone(zone).isoformat()

    return {
        "window": {"from": t(view.start), "to": t(view.end)},
        "reported": {"from": t(view.reported[0]), "to": t(view.reported[1])}
        if view.reported
        else None,
        "complete": view.complete,
        "every_attempt_seen": view.full_capture,
        "gaps": [{"from": t(s), "to": t(e)} for s, e in view.gaps],
        "verified": view.intact,
        "problem": view.problem,
        "chain_head": view.head if view.intact else "",
        "port25_connections": len(view.port25),
    }


def _words(message: str, lang: str, **params: str) -> str:
    token = i18n.use_language(lang)
    try:
        return i18n._(message).format(**params)
    finally:
        i18n.reset_language(token)


def _actions(a: A.Assessment, lang: str) -> list[dict[str, str]]:
    from checks import dates

    def when(s: A.Step) -> str:
        return dates.date_only(s.at, lang) if s.date_only else dates.moment(s.at, lang, False)

    return [
        {"code": s.name, "at": s.recorded, "words": _words(ACTIONS[s.name], lang, date=when(s))}
        for s in a.steps
        if s.name in ACTIONS
    ]


def _prevention(a: A.Assessment, lang: str) -> list[dict[str, str]]:
    """Only what the case shows: a recorded step, a check that passes now, a verified journal."""
    done = {s.name for s in a.steps}
    latest = {c.result.id: str(c.result.status) for c in a.checks}
    codes = [c for c in ("updates", "password", "router") if c in done]
    if latest.get("AV-STATUS") == "pass":
        codes.append("antivirus")
    if latest.get("FW-STATUS") == "pass":
        codes.append("firewall")
    if a.journal is not None and a.journal.intact:
        codes.append("journal")
    return [{"code": c, "words": _words(PREVENTION[c], lang)} for c in codes]


def _joined(items: list[dict[str, str]], nothing: str, lang: str) -> str:
    sep = i18n.language(lang).sentence_gap
    return sep.join(i["words"] for i in items) if items else _words(nothing, lang)


def _cleanup(a: A.Assessment) -> str:
    """XARF's cleanup_status (content-remote_compromise.json's enum), for this PC."""
    if a.kind not in (A.INFECTED, A.SUSPICIOUS):
        return "unknown"  # nothing was found to clean: the enum has no "not needed"
    if a.removal_recorded and a.ongoing is True:
        return "reinfected"
    if a.removal_recorded and a.clean_after_fix is not None:
        return "cleaned"
    if a.removal_recorded or a.steps:
        return "partially_cleaned"
    return "not_cleaned"
