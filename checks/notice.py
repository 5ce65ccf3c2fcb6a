"""NOTICE-SOURCE: read what the provider sent (a notice, a spam sample, an ARF abuse report, or
pasted headers) and say where the mail really came from.

Everything here is outside input: it may be huge, binary, mislabelled or hostile. Nothing in this
module raises on bad input; it returns what could be read, with warnings.
"""

from __future__ import annotations

import email
import ipaddress
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from checks import wording
from checks.i18n import N_
from checks.model import Result, Status
from checks.notice_time import JST, FoundTime, find_times, normalise_text
from checks.received import (
    Hop,
    auth_login,
    auth_results,
    is_public,
    looks_dynamic,
    parse_chain,
    sender_chain,
    walk,
)

TITLE = N_("Where the reported mail came from")
MAX_BYTES = 20 * 1024 * 1024
MAX_HEADER_VALUE = 8000
MAX_RECEIVED = 100
MAX_PARTS = 500  # of a multipart message: a notice has a few

DIRECT, ACCOUNT, FORGED, UNKNOWN = "direct", "account", "forged", "unknown"
HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?", re.M)
KNOWN_HEADERS = re.compile(
    rb"^(received|from|to|subject|date|message-id|return-path|content-type|mime-version|"
    rb"delivered-to|reply-to|authentication-results|received-spf|x-[\w-]+):",
    re.I | re.M,
)


@dataclass
class Analysis:
    kind: str  # "eml", "arf", "headers", "text", "empty"
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
            "warnings": self.warnings,
        }


# --- decoding ---------------------------------------------------------------------------------

# Header names (the email package looks them up in any case).
RECEIVED, AUTH_RESULTS, RECEIVED_SPF = "Received", "Authentication-Results", "Received-SPF"
SUBJECT, FROM = "Subject", "From"
SAMPLE_HEADERS = {
    "from": FROM,
    "return_path": "Return-Path",
    "subject": SUBJECT,
    "date": "Date",
    "message_id": "Message-ID",
}
JA_CHARSETS = ("utf-8", "iso-2022-jp", "cp932", "euc-jp")


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Text and a warning when the bytes were not what they claimed to be."""
    tried = []
    declared = (declared or "").strip().lower() or None
    candidates = ([declared] if declared else []) + list(JA_CHARSETS)
    if re.search(rb"\x1b\$[B@]|\x1b\([BJ]", data):
        # ISO-2022-JP escape sequences: whatever the label says, that is what it is.
        candidates.insert(0, "iso-2022-jp")
    for charset in candidates:
        if not charset or charset in tried:
            continue
        tried.append(charset)
        try:
            text = data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
        if charset == "iso-2022-jp" and b"\x1b" not in data and charset != declared:
            continue  # plain ASCII decodes as anything; prefer the next candidate
        warning = None
        if declared and charset != declared:
            warning = f"text labelled {declared} was really {charset}"
        return text, warning
    return data.decode(errors="replace"), N_(
        "text is in no known encoding; unreadable parts replaced"
    )


def header_text(value: Any) -> str:
    """A header value as readable text (RFC 2047 decoded, control characters removed)."""
    raw = str(value)[:MAX_HEADER_VALUE]
    try:
        text = str(make_header(decode_header(raw)))
    except (UnicodeDecodeError, LookupError, ValueError, email.errors.HeaderParseError):
        text = raw
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text.replace("\r", " ").replace("\n", " "))


def _part_text(part: Message) -> tuple[str, str | None]:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        return (raw if isinstance(raw, str) else ""), None
    text, warning = decode_bytes(payload, part.get_content_charset())
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    return text, warning


# --- the claim --------------------------------------------------------------------------------

IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
IPV6 = re.compile(
    r"(?<![:\w])((?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?:::?[0-9A-Fa-f]{1,4})*)(?![:\w])"
)
SOURCE_WORDS = re.compile(
    r"(送信元|発信元|接続元|source|src|from|Source-IP|IPアドレス|IP address)", re.I
)
PORT_PATTERNS = (
    re.compile(r"ポート(?:番号)?\s*[:：]?\s*(\d{1,5})", re.I),
    re.compile(r"(\d{1,5})\s*番ポート"),
    re.compile(r"\bport\s*[:#]?\s*(\d{1,5})\b", re.I),
    re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}:(\d{1,5})\b"),
)
SOURCE_PORT_WORDS = re.compile(r"(送信元|発信元|接続元|source|src|from)", re.I)
DEST_PORT_WORDS = re.compile(r"(宛先|送信先|あて先|接続先|destination|dst|to)", re.I)
MAIL_PORTS = {25, 465, 587, 2525}
COUNT = re.compile(
    # A number starts where no digit or comma stands before it, and is digits with optional
    # thousands commas: one pass over a long run of "1,1,1,…" instead of one per position.
    # (A Japanese counter word is followed by more Japanese, so no \b after it.)
    r"(約|およそ|about|approximately|approx\.?)?\s*(?<![\d,])(\d{1,3}(?:,\d{3})+|\d+)\s*"
    r"(通|件|messages?(?![A-Za-z])|e-?mails?(?![A-Za-z])|mails?(?![A-Za-z]))",
    re.I,
)
REFERENCE = re.compile(
    r"(?:受付番号|管理番号|整理番号|お問い?合わせ番号|問合せ番号|案件番号|チケット番号|参照番号|"
    # English labels only as whole words ("reference" is not "Ref" + "erence", "Showcase" is no
    # "Case"); a value without a digit is a word ("our reference in …"), not a number.
    r"(?<![A-Za-z])(?:Reference(?: (?:No\.?|number|ID))?|Ticket(?: (?:No\.?|ID|number))?|"
    r"Case(?: ID| No\.?)?|Ref\.?)(?![A-Za-z]))"
    r"\s*[:：#]?\s*([A-Za-z0-9][A-Za-z0-9\-_/#]{2,40})",
    re.I,
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Where a reply goes: an abuse or support desk's address in the notice (or its From).
REPLY_LOCALS = re.compile(r"^(abuse|security|support|noc|spam|postmaster|info|fbl|report)", re.I)
# A reference in parentheses with no label, as subject lines carry it:
# 「【重要】迷惑メール送信に関するお知らせ（ABU-2026-1120-0042）」.
REFERENCE_IN_PARENS = re.compile(r"[（(]\s*([A-Z]{2,}[A-Z0-9]*(?:-[A-Z0-9]+){1,5})\s*[）)]")
PROVIDER = re.compile(
    r"(株式会社\s?[^\s　、。,（(<]{2,30}|[^\s　、。,:：（(<A-Za-z0-9]{2,30}株式会社|"
    r"[A-Z][\w&.\-]*(?: [A-Z][\w&.\-]*){0,4},? (?:Inc\.|Co\., Ltd\.|Ltd\.|Corporation|K\.K\.))"
)
# English keywords only as whole words: "tools.ietf.org" holds "to" + "ols.ietf.org".
DESTINATION = re.compile(
    r"(?:宛先|送信先|あて先|(?<![A-Za-z])(?:destination|recipient server|to)(?![A-Za-z]))"
    r"\s*[:：]?\s*([A-Za-z0-9.\-]+\.[A-Za-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})",
    re.I,
)


def _references(text: str) -> list[str]:
    labelled = [m.group(1).strip("#") for m in REFERENCE.finditer(text)]
    return [r for r in labelled if any(ch.isdigit() for ch in r)] + [
        m.group(1) for m in REFERENCE_IN_PARENS.finditer(text)
    ]


def _ips(text: str) -> list[str]:
    out = []
    for m in list(IPV4.finditer(text)) + list(IPV6.finditer(text)):
        try:
            ip = str(ipaddress.ip_address(m.group(1)))
        except ValueError:
            continue
        if ip not in out:
            out.append(ip)
    return out


def extract_claim(text: str, local_zone: tzinfo) -> dict[str, Any]:
    text = normalise_text(text)[:2_000_000]
    # A time without a zone is read in the user's zone here and in a sample's Date header alike
    # (and marked as assumed, so the reply asks for exact times with the zone).
    times = find_times(text, default_zone=local_zone)
    ips = _ips(text)
    sources = []
    for ip in ips:
        pos = text.find(ip)
        if pos >= 0 and SOURCE_WORDS.search(text[max(0, pos - 40) : pos]):
            sources.append(ip)
    source_ports: list[int] = []
    dest_ports: list[int] = []
    for pattern in PORT_PATTERNS:
        for m in pattern.finditer(text):
            port = int(m.group(1))
            if not 0 < port < 65536:
                continue
            before = text[max(0, m.start() - 12) : m.start() + 6]
            if DEST_PORT_WORDS.search(before) and not SOURCE_PORT_WORDS.search(before):
                target = dest_ports
            elif SOURCE_PORT_WORDS.search(before):
                target = source_ports
            else:
                target = dest_ports if port in MAIL_PORTS else source_ports
            if port not in target:
                target.append(port)
    counts = []
    approximate_count = False
    for m in COUNT.finditer(text):
        try:
            counts.append(int(m.group(2).replace(",", "")))
        except ValueError:
            continue
        approximate_count = approximate_count or bool(m.group(1))
    refs = _references(text)
    provider = PROVIDER.search(text)
    emails = list(dict.fromkeys(EMAIL.findall(text)))
    reply_to = next((e for e in emails if REPLY_LOCALS.match(e)), None)
    dests = [m.group(1) for m in DESTINATION.finditer(text) if m.group(1) not in sources]
    return {
        "times": [t.as_facts(local_zone) for t in times],
        "ips": ips,
        "source_ips": sources or ips[:1],
        "source_ports": source_ports,
        "destination_ports": dest_ports,
        "destinations": list(dict.fromkeys(dests)),
        "message_counts": counts,
        "count_approximate": approximate_count,
        "reference": refs[0] if refs else None,
        "provider": provider.group(1).strip() if provider else None,
        "reply_to": reply_to,
    }


# --- reading the input ------------------------------------------------------------------------


_NOTICE_WORDS = re.compile(
    r"迷惑メール|スパム|不正利用|受付番号|管理番号|送信元|ご契約回線|利用.{0,3}停止|"
    r"abuse|spam|complaint|unsolicited|suspend|your line|your connection",
    re.I,
)


def _is_notice_mail(msg: Message, texts: list[str]) -> bool:
    """A mail that speaks about spam sent from the reader's line (a provider's notice), not a
    spam sample: notice words in its subject and body, and an address or a reference."""
    body = " ".join(texts)[:200_000]
    words = header_text(msg.get(SUBJECT) or "") + " " + body
    found = {m.group(0).lower() for m in _NOTICE_WORDS.finditer(words)}
    facts = bool(IPV4.search(body) or _references(words))
    return len(found) >= 2 and facts


def _is_prose(text: str) -> bool:
    """Readable words (Japanese or Latin), not binary or a handful of symbols."""
    letters = sum(1 for ch in text if ch.isalpha())
    return letters >= 20 and letters >= len(text.strip()) * 0.4


def _looks_like_message(data: bytes) -> bool:
    head = data.lstrip()[:4096]
    return bool(HEADER_LINE.match(head)) and bool(KNOWN_HEADERS.search(head))


def _feedback_fields(part: Message) -> dict[str, str]:
    payload = part.get_payload()
    if isinstance(payload, list):  # parsed as a message
        fields = {}
        for sub in payload:
            for k, v in sub.items():
                fields.setdefault(k.lower(), header_text(v))
        return fields
    text = payload if isinstance(payload, str) else ""
    fields = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
        if m:
            fields.setdefault(m.group(1).lower(), m.group(2).strip())
    return fields


def _samples(msg: Message) -> tuple[list[Message], dict[str, str] | None, list[str], list[str]]:
    """(attached original messages, ARF fields, human text parts, warnings)."""
    samples: list[Message] = []
    arf: dict[str, str] | None = None
    texts: list[str] = []
    warnings: list[str] = []
    for part in itertools.islice(msg.walk(), MAX_PARTS):
        ctype = part.get_content_type()
        if ctype == "message/feedback-report":
            arf = _feedback_fields(part)
        elif ctype == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                samples.append(_unwrap_from_line(inner[0]))
        elif ctype == "text/rfc822-headers":
            text, _w = _part_text(part)
            samples.append(email.message_from_string(text))
        elif ctype in ("text/plain", "text/html"):
            text, warning = _part_text(part)
            texts.append(text)
            if warning:
                warnings.append(warning)
    if msg.defects:
        warnings.append(
            "the message is malformed: "
            + ", ".join(sorted({type(d).__name__ for d in msg.defects}))
        )
    return samples, arf, texts, warnings


def _unwrap_from_line(inner: Message) -> Message:
    """An attached original that begins with an mbox From_ line parses with no headers at all:
    parse it again without that line."""
    if inner.keys():
        return inner
    payload = inner.get_payload()
    if not isinstance(payload, str) or not payload:
        return inner
    # The parser kept bytes it could not decode as surrogates: this gives them back unchanged.
    return email.message_from_bytes(strip_mbox_from(payload.encode("utf-8", "surrogateescape")))


def _sample_facts(sample: Message) -> dict[str, Any]:
    def first(name: str) -> str | None:
        value = sample.get(name)
        return header_text(value) if value is not None else None

    return {
        **{key: first(name) for key, name in SAMPLE_HEADERS.items()},
        "received_count": len(sample.get_all(RECEIVED) or []),
    }


def _domain(addr: str | None) -> str | None:
    m = re.search(r"@([A-Za-z0-9.\-]+)", addr or "")
    return m.group(1).lower() if m else None


def decide(
    hops: list[Hop],
    public_ip: str | None,
    results: dict[str, str],
    arf_source: str | None = None,
    login: tuple[str, str] | None = None,
) -> tuple[str, Hop | None, str | None, list[str], dict[str, Any]]:
    """(verdict, deciding hop, deciding IP, what is missing, how the chain was read).

    The chain is read from the newest line down (checks.received.walk): the entry is where the
    message reached the receiving side from outside, and lines below it are the sender's own
    and are believed only as far as they hand over to each other inside one mail provider.
    ``login``: (server, user) of an Authentication-Results header recording a login; believed
    only from a server of the receiving side or the mail server the message came from.
    """
    anchor = _ips(arf_source)[0] if arf_source and _ips(arf_source) else None
    reading = walk(hops, anchor)
    if anchor and (reading.entry is None or reading.entry.client_ip != anchor):
        # The report's own Source-IP is what its server saw: it decides, whatever the attached
        # headers (often shortened or anonymised) show.
        chain = {
            "entry_index": None,
            "trusted": [],
            "untrusted": [h.index for h in hops],
            "notes": [*reading.notes, "the report's Source-IP decides"],
        }
        if public_ip and anchor == public_ip:
            return DIRECT, None, anchor, [], chain
        if public_ip and any(h.client_ip == public_ip for h in hops):
            # The report names another source, but its own attached headers show this line:
            # the two disagree, and "someone else sent it" would be an all-clear on a guess.
            chain["notes"] = [
                *reading.notes,
                "the attached headers show this line's address: the report and its headers"
                " disagree",
            ]
            return UNKNOWN, None, anchor, ["source_conflict"], chain
        if public_ip:
            return FORGED, None, anchor, [], chain
        return UNKNOWN, None, anchor, ["public_ip"], chain
    chain: dict[str, Any] = {
        "entry_index": reading.entry.index if reading.entry else None,
        "trusted": [h.index for h in reading.trusted],
        "untrusted": [h.index for h in reading.untrusted],
        "notes": reading.notes,
    }
    entry = reading.entry
    if entry is None:  # (with a Source-IP, the report decided above)
        return UNKNOWN, None, None, ["full_headers"] if not hops else ["public_origin"], chain
    if entry.authenticated:
        return ACCOUNT, entry, entry.client_ip, [], chain
    if login:
        server, user = login
        believed = {h.by for h in reading.trusted if h.by} | {
            (entry.from_rdns or entry.from_helo or "").lower()
        }
        if server in believed and not looks_dynamic(entry):
            entry.auth_user = entry.auth_user or user
            chain["login_from_authentication_results"] = server
            # The header names the account, not the address the login came from.
            return ACCOUNT, entry, None, [], chain
    if public_ip and entry.client_ip == public_ip:
        return DIRECT, entry, entry.client_ip, [], chain
    dynamic = looks_dynamic(entry)
    if not dynamic:
        followed = sender_chain(reading)
        chain["followed"] = [h.index for h in followed]
        logins = [h for h in followed if h.authenticated]
        if logins:
            # Of several logins (a LAN submission below an internet-facing one), the one that
            # shows where the login came from on the internet.
            hop = next((h for h in logins if is_public(h.client_ip)), None) or next(
                (h for h in logins if h.client_ip), logins[0]
            )
            return ACCOUNT, hop, hop.client_ip or entry.client_ip, [], chain
    if dynamic and not public_ip and entry.client_ip:
        # Sent straight from a home line. SPF fails for every home line, this user's own too:
        # without the line's address, a failed SPF does not show that someone else sent it.
        return DIRECT, entry, entry.client_ip, [], chain
    spf, dmarc = results.get("spf"), results.get("dmarc")
    if spf in ("fail", "softfail") or dmarc == "fail":
        return FORGED, entry, entry.client_ip, [], chain
    if entry.client_ip is None:
        # The line where the message entered hides the address: nothing to compare.
        return UNKNOWN, entry, None, ["hidden_origin"], chain
    if public_ip:
        return FORGED, entry, entry.client_ip, [], chain
    if dynamic:
        return DIRECT, entry, entry.client_ip, [], chain
    return UNKNOWN, entry, entry.client_ip, ["public_ip"], chain


_MBOX_FROM = re.compile(rb"\A(?:\s*\r?\n)*From [^\r\n]*\r?\n")


def strip_mbox_from(data: bytes) -> bytes:
    """Mail clients, archives and some providers' reports start a saved message with an mbox
    "From sender date" line, which is not a header: without it the message parses as one."""
    m = _MBOX_FROM.match(data)
    return data[m.end() :] if m and not data[m.start() :].lstrip().startswith(b"From:") else data


def _from_bom(data: bytes) -> bytes:
    """Notepad on Windows saves "Unicode" as UTF-16 with a byte-order mark: read it as text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode()
        except UnicodeDecodeError:
            return data
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    return data


def analyse(
    data: bytes, public_ip: str | None = None, local_zone: tzinfo | None = None
) -> Analysis:
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
        )
    if b"\x00" in data[:4096] and not _looks_like_message(data):
        warnings.append(N_("the input looks like a binary file, not a message or a notice"))
    if public_ip:
        try:
            public_ip = str(ipaddress.ip_address(public_ip))
        except ValueError:
            warnings.append(f"--public-ip {public_ip!r} is not an IP address; ignored")
            public_ip = None

    texts: list[str] = []
    samples: list[Message] = []
    arf: dict[str, str] | None = None
    kind = "text"
    if _looks_like_message(data):
        try:
            msg = email.message_from_bytes(data)  # compat32, the default: lenient
        except Exception as exc:
            msg = None
            warnings.append(f"the message could not be parsed ({type(exc).__name__})")
        if msg is not None:
            attached, arf, texts, part_warnings = _samples(msg)
            warnings += part_warnings
            if arf is not None:
                kind = "arf"
                samples = attached
            elif attached:
                kind = "eml"
                samples = attached
            elif _is_notice_mail(msg, texts):
                # The provider's notice as a saved mail: its words are the claim; its own
                # Received lines are the provider's mail to the user and decide nothing.
                kind = "text"
                texts = [
                    f"Subject: {header_text(msg.get(SUBJECT) or '')}",
                    f"From: {header_text(msg.get(FROM) or '')}",
                    *texts,
                ]
            else:
                kind = "eml" if msg.get_payload() else "headers"
                samples = [msg]
                if msg.get_all(RECEIVED):
                    texts = []  # the body of a spam sample is not the provider's claim
    else:
        text, warning = decode_bytes(data)
        texts = [text]
        if warning:
            warnings.append(warning)

    claim = extract_claim("\n".join(texts), local_zone)
    if arf is not None:
        claim["feedback_report"] = {
            k: arf.get(k.lower())
            for k in (
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
            )
        }
        src = arf.get("source-ip")
        if src and _ips(src):
            ip = _ips(src)[0]
            claim["source_ips"] = [ip] + [i for i in claim["source_ips"] if i != ip]
            claim["ips"] = list(dict.fromkeys([ip, *claim["ips"]]))
        arrival = arf.get("arrival-date")
        if arrival:
            claim["times"] += [
                t.as_facts(local_zone) for t in find_times(arrival, default_zone=UTC)
            ]
        if arf.get("incidents", "").isdigit():
            claim["message_counts"].append(int(arf["incidents"]))

    hops: list[Hop] = []
    sample_facts: dict[str, Any] = {}
    results: dict[str, str] = {}
    login: tuple[str, str] | None = None
    if samples:
        sample = samples[0]
        every_received = sample.get_all(RECEIVED) or []
        received = [str(v) for v in every_received][:MAX_RECEIVED]
        if len(every_received) > MAX_RECEIVED:
            warnings.append(f"only the first {MAX_RECEIVED} Received headers were read")
        hops = parse_chain([header_text(v) for v in received])
        sample_facts = _sample_facts(sample)
        auth_lines = [header_text(v) for v in (sample.get_all(AUTH_RESULTS) or [])]
        spf_lines = [header_text(v).split() for v in (sample.get_all(RECEIVED_SPF) or [])]
        # Received-SPF: "Pass (...) ..." reads as spf=pass; an empty one says nothing.
        results = auth_results(auth_lines + [f"spf={words[0]}" for words in spf_lines if words])
        sample_facts["authentication_results"] = results
        login = auth_login(auth_lines)
        if sample_facts.get("date"):
            # A Date without a zone is read like a time in the notice's text (the local zone)
            # and marked as assumed, never silently as UTC.
            for t in find_times(sample_facts["date"], default_zone=local_zone):
                entry = t.as_facts(local_zone)
                entry["source"] = "Date header of the sample"
                claim["times"].append(entry)
    unique: dict[tuple, dict] = {}
    for t in claim["times"]:
        unique.setdefault((t["utc"], t.get("end_utc")), t)
    claim["times"] = list(unique.values())
    verdict, deciding, deciding_ip, missing, chain = decide(
        hops,
        public_ip,
        results,
        (claim.get("feedback_report") or {}).get("Source-IP"),
        login,
    )
    if deciding is not None and deciding.time is not None:
        claim.setdefault("entry_time_utc", deciding.time.astimezone(UTC).isoformat())
    readable = bool(hops or claim["times"] or claim["ips"] or claim["reference"] or arf)
    if not readable and _is_prose("\n".join(texts)):
        # A notice in words with no times, addresses or reference: still a notice. The verdict
        # is "unknown" and the reply asks for what it lacks.
        readable = True  # (decide already asks for the full headers: there were no hops)
    analysis = Analysis(
        kind=kind,
        readable=readable,
        claim=claim,
        hops=hops,
        verdict=verdict,
        deciding=deciding,
        deciding_ip=deciding_ip,
        missing=missing,
        warnings=warnings,
        sample=sample_facts,
        chain=chain,
    )
    analysis.explanation = explain(analysis, public_ip)
    analysis.ask_provider = what_to_ask(analysis)
    return analysis


# --- words --------------------------------------------------------------------------------------


def _quote(raw: str | None) -> str:
    return f"“{raw[:300]}”" if raw else ""


EXPLANATIONS = {
    "account": N_(
        "The message was sent through the mail server {server} after logging in with a mail"
        " account{user} from {ip}. Someone who knows that account's password sent it; the"
        " deciding header is: {quote}"
    ),
    "direct_report": N_("The abuse report names {ip}, this line's address, as the source."),
    "direct_this_line": N_(
        "The message went straight from this line's address {ip} to the recipient's mail"
        " server, without logging in, as a spam bot does. The deciding header is: {quote}"
    ),
    "direct_home_line": N_(
        "The message went straight from {ip}, an address of a home internet line, to the"
        " recipient's mail server without logging in, as a spam bot does. Whether {ip} is"
        " your line, only your provider can confirm. The deciding header is: {quote}"
    ),
    "forged": N_(
        "The message came from {ip}, which is not your line, and your address appears only"
        " as the sender's name in it. Nothing on your side sent it. The deciding header is:"
        " {quote}"
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
}


def explanation_code(a: Analysis, public_ip: str | None) -> str:
    hop = a.deciding
    if a.verdict == ACCOUNT:
        return "account"
    if a.verdict == DIRECT:
        if hop is None:
            return "direct_report"
        if public_ip and hop.client_ip == public_ip:
            return "direct_this_line"
        return "direct_home_line"
    if a.verdict == FORGED:
        return "forged"
    if "source_conflict" in a.missing:
        return "source_conflict"
    if "hidden_origin" in a.missing:
        return "hidden_origin"
    if "full_headers" in a.missing:
        return "need_full_headers"
    if "public_ip" in a.missing:
        return "need_public_ip"
    return "no_internet_address"


def explanation_words(code: str, deciding_ip: str | None, hop: dict | None) -> str:
    """The explanation of a verdict in the active language, from its code and the deciding hop."""
    hop = hop or {}
    user = hop.get("auth_user")
    values = {
        "server": (hop.get("rdns") or hop.get("from") or "…")
        if code == "hidden_origin"
        else (hop.get("by") or "…"),
        "user": f" ({user})" if user else "",
        "ip": hop.get("client_ip") or deciding_ip or "…",
        "quote": _quote(hop.get("raw")),
    }
    if code in ("direct_report", "need_public_ip", "source_conflict"):
        values["ip"] = deciding_ip or values["ip"]
    message = EXPLANATIONS.get(code)
    return wording.render(message, values) if message else ""


def explain(a: Analysis, public_ip: str | None) -> str:
    a.explanation_code = explanation_code(a, public_ip)
    return explanation_words(
        a.explanation_code, a.deciding_ip, a.deciding.as_facts() if a.deciding else None
    )


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
        return bool(t.get("approximate") or t.get("zone_assumed") or not seconds)

    if not times or any(rough(t) for t in times):
        ask.append("times_exact")
    if not a.claim.get("source_ips"):
        ask.append("source_ip")
    if not a.claim.get("source_ports"):
        ask.append("source_port")
    if not a.claim.get("destinations"):
        ask.append("destination")
    if not a.claim.get("message_counts"):
        ask.append("count")
    if not a.hops:
        ask.append("sample_headers")
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
        "Ask your provider to check its submission logs for your account and to stop queued mail."
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
}
ADVICE_FOR = {
    ACCOUNT: ("change_password", "ask_submission_logs"),
    DIRECT: ("find_sender",),
    UNKNOWN: ("ask_sample",),
}
wording.register(wording.Phrasebook({"NOTICE-SOURCE": TITLE}, SUMMARIES, ADVICE))


def _advice(a: Analysis) -> tuple[str, ...]:
    if a.explanation_code == "source_conflict":
        # The headers were sent already and disagree with the report: ask which is right.
        return ("ask_which_source",)
    if a.verdict == UNKNOWN and a.missing == ["public_ip"]:
        # The headers are here; only the line's own address is needed to compare.
        return ("give_public_ip",)
    return ADVICE_FOR.get(a.verdict, ())


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
    """The zone to show times in: the machine's, which for a Japanese user is normally JST."""
    zone = datetime.now().astimezone().tzinfo
    return zone or (JST if lang == "ja" else UTC)


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
