"""Read what the user gave as the notice: bytes in any encoding, a saved mail, an ARF report, a
SpamCop-style report, pasted headers or words, and sort it into the provider's words (the claim)
and the message(s) it is about (samples).

Everything here is outside input: it may be huge, binary, mislabelled or hostile. Nothing in
this module raises on bad input; it returns what could be read, with warnings.
"""

from __future__ import annotations

import email
import itertools
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from checks.i18n import N_
from checks.notice_claim import (
    IPV4,
    REPLY_LOCALS,
    SOURCE_WORDS,
    ips,
    references,
    without_links,
)

MAX_HEADER_VALUE = 8000
MAX_PARTS = 500  # of a multipart message: a notice has a few
HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?", re.M)
KNOWN_HEADERS = re.compile(
    rb"^(received|from|to|subject|date|message-id|return-path|content-type|mime-version|"
    rb"delivered-to|reply-to|authentication-results|received-spf|x-[\w-]+):",
    re.I | re.M,
)

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


def is_prose(text: str) -> bool:
    """Readable words (Japanese or Latin), not binary or a handful of symbols."""
    letters = sum(1 for ch in text if ch.isalpha())
    return letters >= 20 and letters >= len(text.strip()) * 0.4


def looks_like_message(data: bytes) -> bool:
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


# "From sender date", or ">From " as mboxrd quotes it (Yahoo's feedback reports attach that).
_MBOX_FROM = re.compile(rb"\A(?:\s*\r?\n)*>?From [^\r\n]*\r?\n")


def strip_mbox_from(data: bytes) -> bytes:
    """Mail clients, archives and some providers' reports start a saved message with an mbox
    "From sender date" line, which is not a header: without it the message parses as one."""
    m = _MBOX_FROM.match(data)
    if m and not data[m.start() :].lstrip().lstrip(b">").startswith(b"From:"):
        return data[m.end() :]
    return data


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


# --- a provider's notice, or a spam that imitates one --------------------------------------------

_NOTICE_WORDS = re.compile(
    r"迷惑メール|スパム|不正利用|受付番号|管理番号|送信元|ご契約回線|利用.{0,3}停止|"
    r"abuse|spam|complaint|unsolicited|suspend|your line|your connection",
    re.I,
)
# What a notice is about: mail sent from the reader's line or account. A spam that imitates a
# notice ("your account will be suspended, verify here") says no such thing.
_SENDING = re.compile(
    r"(?:迷惑メール|スパム|大量.{0,6}メール|spam|unsolicited|bulk)[^。.\n]{0,60}"
    r"(?:送信|発信|配信|中継|sent|sending|send|originat|relay|emitted)"
    r"|(?:送信|発信|sent|sending|originat)[^。.\n]{0,60}(?:迷惑メール|スパム|spam|unsolicited)"
    r"|(?:迷惑メール|スパム|spam)\s*(?:complaint|苦情|申告|通報)",
    re.I,
)


def is_notice_mail(subject: str, texts: list[str]) -> bool:
    """A mail that speaks about spam sent from the reader's line (a provider's notice), not a
    spam sample: notice words, a sentence about spam being sent, and an address named as the
    source or a reference, outside links."""
    body = without_links(" ".join(texts)[:200_000])
    words = subject + " " + body
    found = {m.group(0).lower() for m in _NOTICE_WORDS.finditer(words)}
    if len(found) < 2 or not _SENDING.search(words):
        return False
    named = any(
        SOURCE_WORDS.search(body[max(0, m.start() - 40) : m.start()]) for m in IPV4.finditer(body)
    )
    return named or bool(references(words))


# --- a report with the offending headers quoted in its words (SpamCop and alike) --------------

# SpamCop: "Email from 203.0.113.45 / Wed, 18 Nov 2026 12:12:05 +0000".
_EMAIL_FROM = re.compile(r"^\s*Email from\s+([0-9A-Fa-f:.]+)\s*/\s*(.+?)\s*$", re.M)
_SPAMCOP_ID = re.compile(
    r"spamcop\.net/(?:w3m|sc|mcgi)\?[^\s]*?\bi=(z?\d+z[0-9a-f]+z|\w+)|\bSpamCop[^\]\n]*?\bid:\s*(\d+)",
    re.I,
)
_HEADER_START = re.compile(r"^(?:>\s?)?(?:Received|Return-Path|Delivered-To):\s", re.M | re.I)
_HEADER_LINE = re.compile(r"^(?:>\s?)?[!-9;-~]{1,76}:\s?|^(?:>\s?)?[ \t]+\S")


@dataclass
class QuotedReport:
    headers: Message | None  # the quoted headers, parsed as a message
    source: str | None  # the address the report says the mail came from
    source_time: str | None
    reference: str | None
    words: str = ""  # the report's own words: its text without the quoted headers


def quoted_report(text: str) -> QuotedReport | None:
    """A report in words that quotes the offending message's headers (SpamCop's "[ Offending
    message ]", a provider pasting the Received lines into its notice): those headers are the
    sample, and "Email from IP / date" is what the reporter saw."""
    start = _HEADER_START.search(text)
    if start is None:
        return None
    # The block may begin a few header lines before its first Received line.
    begin = start.start()
    while True:
        previous = text.rfind("\n", 0, max(0, begin - 1))
        line = text[previous + 1 : begin - 1] if begin else ""
        if not line.strip() or not _HEADER_LINE.match(line) or previous < 0:
            break
        begin = previous + 1
    block: list[str] = []
    end = begin
    for line in text[begin:].splitlines(keepends=True):
        if not line.strip() or not _HEADER_LINE.match(line):
            break
        block.append(re.sub(r"^>\s?", "", line.rstrip("\r\n")))
        end += len(line)
    if not any(line.lower().startswith("received:") for line in block):
        return None
    headers = email.message_from_string("\n".join(block) + "\n\n")
    source = _EMAIL_FROM.search(text)
    ref = _SPAMCOP_ID.search(text)
    found_ip = ips(source.group(1)) if source else []
    words = text[:begin] + text[end:]
    if source is not None:
        # "Email from IP / date" is what the reporter saw, not this line's own address.
        words = _EMAIL_FROM.sub(" ", words)
    return QuotedReport(
        headers,
        found_ip[0] if found_ip else None,
        source.group(2) if source else None,
        (ref.group(1) or ref.group(2)) if ref else None,
        words,
    )


# --- what the input was ---------------------------------------------------------------------------


@dataclass
class Input:
    kind: str  # "eml", "arf", "headers", "text", "report", "empty"
    texts: list[str]  # the provider's words
    samples: list[Message]  # the message(s) the notice is about
    arf: dict[str, str] | None = None
    report: QuotedReport | None = None
    notice_from: str | None = None  # the From of a provider's notice mail
    warnings: list[str] = field(default_factory=list)
    # The mail that carried a quoted report or bounce: its own path is not the one judged, but
    # the line's address anywhere in it still forbids an all-clear.
    carrier: Message | None = None
    notice_words: bool = False  # ``texts`` are a provider's notice (their addresses: the line's)
    desk: str | None = None  # the abuse desk a report was addressed to (the reply goes there)
    everything: str = ""  # all the input's text, decoded: the line's address anywhere in it


def read_input(data: bytes) -> Input:
    """Sort the bytes into the provider's words and the samples they are about."""
    given = _read_input(data)
    given.everything = _everything(data, given)
    return given


def _everything(data: bytes, given: Input) -> str:
    """The raw bytes as text, and every text part decoded (base64 and quoted-printable parts
    hide what they hold from the raw bytes)."""
    parts = [data.decode("latin-1")]
    for message in [given.carrier, *given.samples]:
        if message is None:
            continue
        for part in itertools.islice(message.walk(), MAX_PARTS):
            if part.get_content_maintype() == "text":
                text, _w = _part_text(part)
                parts.append(text)
    parts.extend(given.texts)
    return "\n".join(parts)


def _desk(msg: Message, arf: dict[str, str]) -> str | None:
    """The abuse desk a feedback report was sent to (its To: the line provider's desk, which
    forwarded it), when it names one; never an address of the reported domain itself."""
    from email.utils import getaddresses

    reported = (arf.get("Reported-Domain") or "").strip().lower()
    for _name, address in getaddresses([str(v) for v in msg.get_all("To") or []]):
        local, _at, domain = address.rpartition("@")
        domain = domain.lower()
        if local and REPLY_LOCALS.match(local) and domain and domain != reported:
            return address
    return None


def _read_input(data: bytes) -> Input:
    warnings: list[str] = []
    if b"\x00" in data[:4096] and not looks_like_message(data):
        warnings.append(N_("the input looks like a binary file, not a message or a notice"))
    if not looks_like_message(data):
        text, warning = decode_bytes(data)
        if warning:
            warnings.append(warning)
        return _words(text, warnings)
    try:
        msg = email.message_from_bytes(data)  # compat32, the default: lenient
    except Exception as exc:
        warnings.append(f"the message could not be parsed ({type(exc).__name__})")
        return Input("text", [], [], warnings=warnings)
    attached, arf, texts, part_warnings = _samples(msg)
    warnings += part_warnings
    subject = header_text(msg.get(SUBJECT) or "")
    sender = header_text(msg.get(FROM) or "")
    if arf is not None:
        return Input("arf", texts, attached, arf=arf, warnings=warnings, desk=_desk(msg, arf))
    if attached:
        notice = is_notice_mail(subject, texts)
        return Input(
            "eml", texts, attached, notice_from=sender if notice else None, warnings=warnings
        )
    if is_notice_mail(subject, texts):
        # The provider's notice as a saved mail: its words are the claim; its own Received
        # lines are the provider's mail to the user and decide nothing.
        reading = _words("\n".join(texts), warnings)
        reading.texts = [f"Subject: {subject}", f"From: {sender}", *reading.texts]
        reading.notice_from = sender
        reading.carrier = msg
        reading.notice_words = True
        return reading
    report = quoted_report("\n".join(texts)[:2_000_000])
    if report is not None and report.headers is not None:
        # A bounce, a SpamCop report or a forward that quotes the original's headers in its
        # words: the original's path is the one that matters, not the report's delivery.
        words = [report.words] if report.source else []
        return Input(
            "report", words, [report.headers], report=report, warnings=warnings, carrier=msg
        )
    kind = "eml" if msg.get_payload() else "headers"
    # The body of a spam sample is not the provider's claim.
    return Input(kind, [] if msg.get_all(RECEIVED) else texts, [msg], warnings=warnings)


def _words(text: str, warnings: list[str]) -> Input:
    """Words: a notice, or a report that quotes the offending headers (those are read as the
    sample, not as the provider's words: their addresses are no claim about this line)."""
    report = quoted_report(text)
    if report is not None and report.headers is not None:
        return Input(
            "report", [report.words], [report.headers], report=report, warnings=warnings,
            notice_words=True,
        )  # fmt: skip
    return Input("text", [text], [], warnings=warnings, notice_words=True)
