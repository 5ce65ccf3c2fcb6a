"""NOTICE-SOURCE: read what the provider sent (a notice, a spam sample, an ARF abuse report, a
SpamCop-style report, or pasted headers) and say where the mail really came from.

The parts: checks/notice_input.py sorts the input into the provider's words and the samples,
checks/notice_claim.py reads the words, checks/received.py the Received chain, and
checks/provenance.py decides against the line's addresses (checks/line_identity.py). This
module puts them together into notice.json and NOTICE-SOURCE, and words the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.message import Message
from typing import Any

from checks import catalogue, line_identity, provenance, wording
from checks.i18n import N_
from checks.model import Result, Status
from checks.notice_claim import extract_claim, ips, malware_family
from checks.notice_input import (
    AUTH_RESULTS,
    RECEIVED,
    RECEIVED_SPF,
    _from_bom,
    _sample_facts,
    header_text,
    is_prose,
    read_input,
    strip_mbox_from,
)
from checks.notice_time import FoundTime, find_times
from checks.received import Hop, auth_login, auth_results, org, parse_chain

TITLE = N_("Where the reported mail came from")
MAX_BYTES = 20 * 1024 * 1024
MAX_RECEIVED = 100

DIRECT, ACCOUNT, FORGED, UNKNOWN = (
    provenance.DIRECT,
    provenance.ACCOUNT,
    provenance.FORGED,
    provenance.UNKNOWN,
)
ARF_FIELDS = (
    "Feedback-Type",
    "User-Agent",
    "Version",
    "Source-IP",
    "Arrival-Date",
    "Incidents",
    "Original-Mail-From",
    "Original-Rcpt-To",
    "Reported-Domain",
    "Reported-Uri",
    "Source-Port",
)


@dataclass
class Analysis:
    kind: str  # "eml", "arf", "headers", "text", "report", "empty"
    readable: bool
    claim: dict[str, Any]
    hops: list[Hop] = field(default_factory=list)
    verdict: str = UNKNOWN
    deciding: Hop | None = None
    deciding_ip: str | None = None
    explanation: str = ""
    explanation_code: str = ""
    missing: list[str] = field(default_factory=list)
    ask_provider: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sample: dict[str, Any] = field(default_factory=dict)
    # How the Received chain was read: the hops trusted and those written by the sending side.
    chain: dict[str, Any] = field(default_factory=dict)
    line: line_identity.LineIdentity = field(default_factory=line_identity.LineIdentity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "readable": self.readable,
            "claim": self.claim,
            "verdict": self.verdict,
            "deciding_hop": self.deciding.as_facts() if self.deciding else None,
            "deciding_ip": self.deciding_ip,
            "explanation": self.explanation,
            "explanation_code": self.explanation_code,
            "missing": self.missing,
            "ask_provider": self.ask_provider,
            "hops": [h.as_facts() for h in self.hops],
            "sample": self.sample,
            "chain": self.chain,
            "line": self.line.as_facts(),
            "warnings": self.warnings,
        }


def _report_claim(claim: dict[str, Any], arf: dict[str, str], local_zone: tzinfo) -> None:
    """An ARF report's fields join the claim: its Source-IP and Arrival-Date are what the
    reporting server saw."""
    claim["feedback_report"] = {k: arf.get(k.lower()) for k in ARF_FIELDS}
    src = ips(arf.get("source-ip") or "")
    if src:
        claim["source_ips"] = [src[0]] + [i for i in claim["source_ips"] if i != src[0]]
        claim["ips"] = list(dict.fromkeys([src[0], *claim["ips"]]))
    arrival = arf.get("arrival-date")
    if arrival:
        claim["times"] += [t.as_facts(local_zone) for t in find_times(arrival, default_zone=UTC)]
    if arf.get("incidents", "").isdigit():
        claim["message_counts"].append(int(arf["incidents"]))
    port = (arf.get("source-port") or "").strip()
    if port.isdigit() and 0 < int(port) < 65536 and int(port) not in claim["source_ports"]:
        claim["source_ports"].append(int(port))


@dataclass
class _Sample:
    hops: list[Hop]
    facts: dict[str, Any]
    results: dict[str, str]
    login: tuple[str, str] | None
    headers: list[tuple[str, str]] = field(default_factory=list)  # all but Received


def _read_sample(sample: Message | None, warnings: list[str]) -> _Sample:
    if sample is None:
        return _Sample([], {}, {}, None)
    every_received = sample.get_all(RECEIVED) or []
    received = [str(v) for v in every_received][:MAX_RECEIVED]
    if len(every_received) > MAX_RECEIVED:
        warnings.append(f"only the first {MAX_RECEIVED} Received headers were read")
    hops = parse_chain([header_text(v) for v in received])
    facts = _sample_facts(sample)
    auth_lines = [header_text(v) for v in (sample.get_all(AUTH_RESULTS) or [])]
    spf_lines = [header_text(v).split() for v in (sample.get_all(RECEIVED_SPF) or [])]
    # Received-SPF: "Pass (...) ..." reads as spf=pass; an empty one says nothing.
    results = auth_results(auth_lines + [f"spf={words[0]}" for words in spf_lines if words])
    facts["authentication_results"] = results
    # Every other header, decoded (an RFC 2047 word hides an address from the raw text), as one
    # text: the line's address written in any of them is looked for (the first 500 were).
    others = "\n".join(header_text(v) for k, v in sample.items() if str(k).lower() != "received")
    return _Sample(hops, facts, results, auth_login(auth_lines), [("headers", others)])


def _org_of(address: str | None) -> str | None:
    """The organisation of a mail address's domain (checks.received.org), or None."""
    m = re.search(r"@([A-Za-z0-9.\-]+)", address or "")
    return org(m.group(1).lower()) if m else None


def _provider_orgs(claim: dict[str, Any], notice_from: str | None) -> frozenset[str]:
    """The line provider's own domains, from its notice's sender and reply address."""
    found = {_org_of(addr) for addr in (notice_from, claim.get("reply_to"))}
    return frozenset(own for own in found if own)


def _claim_of(given, local_zone: tzinfo) -> dict[str, Any]:
    """What the provider's words claim, with what the rest of the input adds to it."""
    claim = extract_claim("\n".join(given.texts), local_zone)
    if given.desk and _org_of(claim.get("reply_to")) != _org_of(given.desk):
        # A feedback report's words are its sender's ("Questions: postmaster@feedback.example"):
        # the reply goes to the provider's desk that forwarded it, unless the words name
        # another address of that provider.
        claim["reply_to"] = given.desk
    bot = claim.get("bot_report")
    if bot and not bot.get("family"):
        # A feed's family often stands only in its attached rows (Shadowserver's "infection").
        bot["family"] = malware_family(given.everything)
    if not given.notice_words:
        # Whom a spam sample greets is its victim, not the subscriber.
        claim.pop("addressee", None)
        claim.pop("contract_id", None)
    return claim


def analyse(
    data: bytes,
    public_ip: str | list[str] | None = None,
    local_zone: tzinfo | None = None,
    nat_facts: dict[str, Any] | None = None,
) -> Analysis:
    """The notice read against the line: ``public_ip`` is what the user gave (one address or
    several, IPv4 and IPv6), ``nat_facts`` what NET-NAT saw of this line (its facts)."""
    local_zone = local_zone or datetime.now().astimezone().tzinfo or UTC
    warnings: list[str] = []
    data = strip_mbox_from(_from_bom(data))
    if len(data) > MAX_BYTES:
        warnings.append(f"input is {len(data)} bytes; only the first {MAX_BYTES} were read")
        data = data[:MAX_BYTES]
    if not data.strip():
        return Analysis(
            "empty",
            False,
            extract_claim("", local_zone),
            warnings=["the input is empty"],
            missing=["full_headers"],
            explanation=wording.render(EXPLANATIONS["nothing_to_read"], {}),
            explanation_code="nothing_to_read",
            line=line_identity.build(public_ip, None, nat_facts),
        )
    given = read_input(data)
    warnings += given.warnings
    claim = _claim_of(given, local_zone)
    report_source = _report_source(claim, given, local_zone)
    sample = _read_sample(given.samples[0] if given.samples else None, warnings)
    # The line's address anywhere in what was given (the carrier of a report, another part, a
    # bounce's report, a body, a link) forbids an all-clear.
    sample.headers.append(("anywhere", given.everything))
    _add_claimed_times(claim, given, sample, local_zone)

    # The addresses the provider's own words name as the source are this contract's at the
    # reported time (a report's source is what its server saw: not necessarily this line).
    named = claim.get("named_sources") if given.notice_words else []
    line = line_identity.build(public_ip, named, nat_facts)
    for value in line.ignored:
        warnings.append(f"--public-ip {value!r} is not an IP address; ignored")
    decision = provenance.decide(
        sample.hops,
        line,
        sample.results,
        report_source,
        sample.login,
        _provider_orgs(claim, given.notice_from),
        sample.headers,
        notice_attributes=given.notice_words,
    )
    if decision.hop is not None and decision.hop.time is not None:
        claim.setdefault("entry_time_utc", decision.hop.time.astimezone(UTC).isoformat())
    return _conclude(given, claim, sample, decision, line, warnings)


def _conclude(
    given: Any, claim: dict, sample: Any, decision: Any, line: Any, warnings: list
) -> Analysis:
    """The analysis: the verdict in words, and what to ask the provider for."""
    if claim.get("bot_report") and decision.code == "need_full_headers":
        # A report of a bot's traffic quotes no mail: asking for a mail's headers would ask
        # for something that does not exist. The connection's port and time decide.
        decision.code, decision.missing = "bot_no_mail", ["source_port"]
    readable = bool(
        sample.hops or claim["times"] or claim["ips"] or claim["reference"] or given.arf
    )
    if not readable and is_prose("\n".join(given.texts)):
        # A notice in words with no times, addresses or reference: still a notice. The verdict
        # is "unknown" and the reply asks for what it lacks.
        readable = True
    analysis = Analysis(
        kind=given.kind,
        readable=readable,
        claim=claim,
        hops=sample.hops,
        verdict=decision.verdict,
        deciding=decision.hop,
        deciding_ip=decision.ip,
        explanation_code=decision.code,
        missing=decision.missing,
        warnings=warnings,
        sample=sample.facts,
        chain=decision.chain,
        line=line,
    )
    analysis.explanation = explanation_words(
        analysis.explanation_code,
        analysis.deciding_ip,
        analysis.deciding.as_facts() if analysis.deciding else None,
        line.shown(),
    )
    analysis.ask_provider = what_to_ask(analysis)
    return analysis


def _report_source(claim: dict[str, Any], given: Any, local_zone: tzinfo) -> str | None:
    """The address a report (ARF's Source-IP, a provider's report) names as the source, put
    first among the claim's sources; the report's reference and times join the claim."""
    report_source = None
    if given.arf is not None:
        _report_claim(claim, given.arf, local_zone)
        report_source = (ips(given.arf.get("source-ip") or "") or [None])[0]
    if given.report is not None:
        report_source = given.report.source
        if report_source:
            claim["source_ips"] = [report_source] + [
                i for i in claim["source_ips"] if i != report_source
            ]
        if given.report.reference and not claim.get("reference"):
            claim["reference"] = given.report.reference
    return report_source


def _add_claimed_times(claim: dict[str, Any], given: Any, sample: Any, local_zone: tzinfo) -> None:
    """The reporter's time ("Email from IP / date") and the sample's Date join the claim's
    times, each once."""
    if given.report is not None and given.report.source_time:
        claim["times"] += [
            t.as_facts(local_zone) for t in find_times(given.report.source_time, default_zone=UTC)
        ]
    if sample.facts.get("date"):
        # A Date without a zone is read like a time in the notice's text and marked as
        # assumed, never silently as UTC.
        for t in find_times(sample.facts["date"], default_zone=local_zone):
            entry = t.as_facts(local_zone)
            entry["source"] = "Date header of the sample"
            claim["times"].append(entry)
    unique: dict[tuple, dict] = {}
    for t in claim["times"]:
        unique.setdefault((t["utc"], t.get("end_utc")), t)
    claim["times"] = list(unique.values())


# --- words --------------------------------------------------------------------------------------


def _quote(raw: str | None) -> str:
    return f"“{raw[:300]}”" if raw else ""


EXPLANATIONS = {
    "account": N_(
        "The message was sent through the mail server {server} after logging in with a mail"
        " account{user} from {ip}. Someone who knows that account's password sent it; the"
        " deciding header is: {quote}"
    ),
    # The login line does not show where the login came from ("from webmail (unknown)").
    "account_no_address": N_(
        "The message was sent through the mail server {server} after logging in with a mail"
        " account{user}; the headers do not show from which address. Someone who knows that"
        " account's password sent it; the deciding header is: {quote}"
    ),
    "account_from_line": N_(
        "The message was sent through the mail server {server} after logging in with a mail"
        " account{user} from this line's address {ip}. A device on this line used that"
        " account's password; the deciding header is: {quote}"
    ),
    "direct_report": N_("The abuse report names {ip}, this line's address, as the source."),
    "direct_this_line": N_(
        "The message went straight from this line's address {ip} to the recipient's mail"
        " server, without logging in, as a spam bot does. The deciding header is: {quote}"
    ),
    "relayed_from_this_line": N_(
        "The message was sent from this line's address {ip} to the mail server {server}"
        " without logging in, and passed on from there to the recipient. A device on this line"
        " sent it. The deciding header is: {quote}"
    ),
    "direct_home_line": N_(
        "The message went straight from {ip}, an address of a home internet line, to the"
        " recipient's mail server without logging in, as a spam bot does. Whether {ip} is"
        " your line, only your provider can confirm. The deciding header is: {quote}"
    ),
    "forged": N_(
        "The message came from {ip}{host}, a server in another network: it is not an address"
        " of this line ({line}), and no address of this line appears anywhere in its headers."
        " Nothing on your side sent it; your address was only used as the sender. The deciding"
        " header is: {quote}"
    ),
    "forged_home_line": N_(
        "The message came from {ip}{host}, a home line in another network: it is not an"
        " address of this line ({line}), and no address of this line appears anywhere in its"
        " headers. Nothing on your side sent it; your address was only used as the sender."
        " The deciding header is: {quote}"
    ),
    "bot_no_mail": N_(
        "The notice reports a device on this line talking to a botnet, not a mail: there are no"
        " mail headers to read. Which device it was, the connection's exact time and source port"
        " can tell, together with a look at the devices at home."
    ),
    "need_full_headers": N_(
        "We could not tell where the mail came from: the full headers of a sample message"
        ' (its "Received" lines) are needed.'
    ),
    "need_public_ip": N_(
        "The message entered the internet at {ip}. To tell whether that is your line, we"
        " need your public IP address (or your provider's confirmation)."
    ),
    "no_internet_address": N_(
        "We could not tell where the mail came from: the headers show no address on the internet."
    ),
    "nothing_to_read": N_("There was nothing to read."),
    "source_conflict": N_(
        "The report names {ip} as the source, but the message headers attached to it show this"
        " line's address. Only the provider can say which is right."
    ),
    "hidden_origin": N_(
        "The message entered the receiving side from {server}, which does not show the sender's"
        " address; only the provider of that server can say where it came from."
    ),
    "shared_address": N_(
        "The message came from {ip}, this line's address, but your provider shares that address"
        " among several customers (carrier-grade NAT). Only the source port, which your"
        " provider can look up, tells whether it was your connection."
    ),
    "cgnat_unknowable": N_(
        "The message came from {ip}. This line shares its internet address with other"
        " customers (carrier-grade NAT), so which address it had at that time is not known"
        " here; only your provider can tell, from the time and the source port."
    ),
    "other_family": N_(
        "The message came from {ip}, an address of a kind this line's known addresses ({line})"
        " cannot be compared with (IPv4 and IPv6). Enter the line's address of that kind too,"
        " or ask your provider whether it was yours."
    ),
    "maybe_this_line": N_(
        "The message came from {ip}{host}, in the same provider's network as this line ({line})."
        " Home lines' addresses change (after each reconnection, for example); only your"
        " provider can tell whether {ip} was your line at that time."
    ),
    "notice_home_line": N_(
        "Your provider's notice says this mail came from your line, and its headers show it came"
        " from {ip}{host}, an address of a home internet line. That is not this line's address"
        " now ({line}), but a home line's address changes (after each reconnection, for example):"
        " only your provider can tell whether {ip} was your line at that time."
    ),
    "report_names_other": N_(
        "The report names {ip} as the source. That is not this line's address now ({line}), but"
        " a home line's address changes: only your provider can tell which address your line"
        " had at the reported time."
    ),
    "line_in_sender_part": N_(
        "This line's address {ip} appears in the headers, in a part written by the sending side"
        " that the receiving server did not confirm. Only your provider's logs can tell whether"
        " your line sent it. The header is: {quote}"
    ),
    "line_mentioned": N_(
        "This line's address {ip} is written in the message's headers, though not as the address"
        " a server received it from. That does not show your line sent it, nor that it did not:"
        " only your provider's logs can tell."
    ),
    "authorised_server": N_(
        "The message came from {ip}{host}, a server the sender's own domain authorises to send"
        " its mail: it was most likely sent through that mail service by logging in to an"
        " account there. Only that service's logs tell from where."
    ),
}
# Codes whose {ip} is the deciding address even when a hop is shown.
_DECIDING_IP_CODES = (
    "direct_report",
    "need_public_ip",
    "source_conflict",
    "report_names_other",
    "line_mentioned",
)


def explanation_words(code: str, deciding_ip: str | None, hop: dict | None, line: str = "") -> str:
    """The explanation of a verdict in the active language, from its code, the deciding hop and
    the line's addresses as shown (``LineIdentity.shown``)."""
    hop = hop or {}
    user = hop.get("auth_user")
    host = hop.get("rdns")
    values = {
        "server": (hop.get("rdns") or hop.get("from") or "…")
        if code == "hidden_origin"
        else (hop.get("by") or "…"),
        "user": f" ({user})" if user else "",
        "ip": hop.get("client_ip") or deciding_ip or "…",
        "host": f" ({host})" if host else "",
        "line": line or "…",
        "quote": _quote(hop.get("raw")),
    }
    if code in _DECIDING_IP_CODES:
        values["ip"] = deciding_ip or values["ip"]
    if code == "account" and values["ip"] == "…":
        code = "account_no_address"  # never "logging in … from …" to a worried reader
    message = EXPLANATIONS.get(code)
    return wording.render(message, values) if message else ""


def line_of(doc: dict[str, Any]) -> line_identity.LineIdentity:
    """The line's identity as a stored notice.json records it (none when it records none)."""
    facts = doc.get("line") if isinstance(doc, dict) else None
    if not isinstance(facts, dict):
        return line_identity.LineIdentity()
    found = [
        line_identity.LineAddress(str(a.get("ip")), str(a.get("source")), str(a.get("kind")))
        for a in facts.get("addresses") or []
        if isinstance(a, dict) and a.get("ip")
    ]
    return line_identity.LineIdentity(tuple(found), cgnat=facts.get("cgnat") is True)


def line_shown(doc: dict[str, Any]) -> str:
    """The line's addresses as the explanation shows them, from a stored notice.json."""
    return line_of(doc).shown()


def _has_seconds(iso: str | None) -> bool:
    try:
        return bool(iso) and datetime.fromisoformat(iso).second != 0
    except ValueError:
        return False


def what_to_ask(a: Analysis) -> list[str]:
    """The details to request from the provider, given what the notice lacks."""
    ask = []
    times = [t for t in a.claim.get("times", []) if not t.get("source")]

    def rough(t: dict) -> bool:
        # Approximate, zone assumed, or given only to the minute: ask for seconds and zone.
        seconds = any(_has_seconds(t.get(k)) for k in ("utc", "end_utc") if t.get(k)) or re.search(
            r"\d:\d\d:\d\d|\d秒", str(t.get("text") or "")
        )
        return bool(
            t.get("approximate") or t.get("zone_assumed") or t.get("year_assumed") or not seconds
        )

    if not times or any(rough(t) for t in times):
        ask.append("times_exact")
    if not a.claim.get("source_ips"):
        ask.append("source_ip")
    if not a.claim.get("source_ports"):
        ask.append("source_port")
    # An ARF report is sent by the receiving side, and the sample's headers name the server
    # that received it: the destination is asked for only when neither is there.
    arf = bool(a.claim.get("feedback_report"))
    if not a.claim.get("destinations") and not a.hops and not arf:
        ask.append("destination")
    if not a.claim.get("message_counts"):
        ask.append("count")
    if not a.hops:
        ask.append("sample_headers")
    for code, request in (
        ("line_address", "line_address"),
        ("logs_for_line", "logs_for_line"),
        ("source_port", "source_port"),
    ):
        if code in a.missing and request not in ask:
            ask.append(request)
    if not arf:  # an ARF report is itself what triggered the notice
        ask.append("trigger")
    return ask


SUMMARIES = {
    DIRECT: N_("The reported mail was sent directly from an end-user line, as a spam bot does."),
    ACCOUNT: N_(
        "The reported mail was sent by logging in to a mail account: its password is probably stolen."
    ),
    FORGED: N_("Only the sender's address was forged: the mail came from elsewhere."),
    UNKNOWN: N_("We could not tell where the reported mail came from."),
}
ADVICE = {
    "change_password": N_(
        "Change your mail password now, from a device you trust (not this PC until it is checked)."
    ),
    "ask_submission_logs": N_(
        "Ask whoever runs your mail account (often your provider) to check its sending logs for"
        " your account and to stop queued mail."
    ),
    "find_sender": N_(
        "Find the device that sends: watch this PC's mail connections, then switch other devices off one at a time."
    ),
    "ask_sample": N_("Ask your provider for a sample message with its full headers."),
    "give_public_ip": N_(
        "Enter this line's internet address (the global IP shown on your router's status page or"
        " on your provider's member page) and read the notice again."
    ),
    "ask_which_source": N_(
        "Ask your provider which address really sent the mail: its report and the headers"
        " attached to it name different ones."
    ),
    "give_other_family": N_(
        "Enter this line's other address too (IPv4 and IPv6: the checks of this PC find its"
        " IPv6 address, and the router's status page shows both), then read the notice again."
    ),
    "ask_line_address": N_(
        "Ask your provider which address your line had at the reported time (and, if your line"
        " shares its address with other customers, the source port of the reported connection)."
    ),
    "ask_source_port": N_(
        "Ask your provider to look up the source port of the reported connection: your line"
        " shares its address with other customers."
    ),
    "ask_bot_connection": N_(
        "Ask your provider for the exact time, the source port and the destination of the"
        " reported connection, and look at the devices at home (step 4 lists them)."
    ),
    "ask_logs_for_line": N_(
        "Ask your provider whether its logs show a connection from your line at the reported time."
    ),
    "check_account": N_(
        "If the sender address is yours, look at that account's sent folder and login history,"
        " and change its password from a device you trust."
    ),
}
# The advice for an explanation that is not decided by its verdict alone.
ADVICE_FOR_CODE = {
    "source_conflict": ("ask_which_source",),
    "need_public_ip": ("give_public_ip",),
    "other_family": ("give_other_family",),
    "maybe_this_line": ("ask_line_address",),
    "report_names_other": ("ask_line_address",),
    "notice_home_line": ("ask_line_address",),
    "cgnat_unknowable": ("ask_line_address",),
    "shared_address": ("ask_source_port",),
    "line_in_sender_part": ("ask_logs_for_line",),
    "line_mentioned": ("ask_logs_for_line",),
    "authorised_server": ("check_account",),
    "bot_no_mail": ("ask_bot_connection",),
}
ADVICE_FOR = {
    ACCOUNT: ("change_password", "ask_submission_logs"),
    DIRECT: ("find_sender",),
    UNKNOWN: ("ask_sample",),
}
wording.register(wording.Phrasebook({"NOTICE-SOURCE": TITLE}, SUMMARIES, ADVICE))

# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry("NOTICE-SOURCE", __name__, catalogue.NOTICE, catalogue.CLAIM, order=180),
)


def _advice(a: Analysis) -> tuple[str, ...]:
    # The headers are here: ask for what settles this one (the line's address, which source).
    return ADVICE_FOR_CODE.get(a.explanation_code) or ADVICE_FOR.get(a.verdict, ())


def to_result(a: Analysis) -> Result:
    status = {DIRECT: Status.FAIL, ACCOUNT: Status.FAIL, FORGED: Status.PASS}.get(
        a.verdict, Status.UNKNOWN
    )
    hop = a.deciding.as_facts() if a.deciding else None
    return Result(
        id="NOTICE-SOURCE",
        status=status,
        reason=a.verdict,
        params={
            "deciding_ip": a.deciding_ip,
            "explanation": a.explanation_code,
            "missing": a.missing,
        },
        advice_codes=_advice(a),
        facts={
            "verdict": a.verdict,
            "deciding_ip": a.deciding_ip,
            "deciding_hop": hop,
            "explanation_code": a.explanation_code,
            "claim": a.claim,
            "missing": a.missing,
            "warnings": a.warnings,
        },
    )


def local_zone_for(lang: str) -> tzinfo:
    """The zone to show times in: the machine's, whatever the language (a Japanese letter
    written abroad shows the PC's own times, each with its zone)."""
    return datetime.now().astimezone().tzinfo or UTC


__all__ = [
    "ACCOUNT",
    "DIRECT",
    "FORGED",
    "UNKNOWN",
    "Analysis",
    "FoundTime",
    "analyse",
    "to_result",
]
