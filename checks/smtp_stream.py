"""One SMTP client's byte stream, read in order: what it says (EHLO name, envelope domains,
messages, AUTH) and which of its bytes may be kept as evidence.

Scrubbing is an allow-list over the reassembled stream, and fails closed: a client segment is
kept only from a line start it can place in the stream (the connection's start was seen, the
segment is the next one in order, no retransmission), and only as far as it holds complete
lines of known, harmless commands (EHLO/HELO/LHLO name, MAIL FROM / RCPT TO, DATA, BDAT, QUIT,
RSET, NOOP, STARTTLS) while the session is between commands. From AUTH (any case, any leading
space, however split) until the server's reply ends the exchange, from DATA to the end of the
message, after STARTTLS, and on port 465 nothing is kept. A segment out of order, a
retransmission, one that starts mid-line, or one of a connection whose start was not captured
is cut to its headers. Server replies keep their code and enhanced status; their words only for
the greeting (220) and acceptances (250), never during AUTH or after STARTTLS.

Pure: bytes in, decisions out; checks.traffic feeds it packets.
"""

from __future__ import annotations

import re

SEQ_MOD = 1 << 32
HALF = 1 << 31
# A command line is at most 1000 bytes (RFC 5321); a line split over segments is held to its
# head only (enough to read its verb and an address), and one longer than that is never kept.
LINE_HEAD = 512
MAX_LINE = 1000
# Segments held for a gap before it is filled; past these the stream is no longer followed.
MAX_PENDING_SEGMENTS = 64
MAX_PENDING_BYTES = 256 * 1024

_ALLOWED = re.compile(
    rb"(?i)(?:(?:EHLO|HELO|LHLO)[ ][A-Za-z0-9.\-_:\[\]]{1,255}"
    rb"|MAIL[ ]FROM:[ ]?(?:<[^<>\s]{0,510}>|[^<>\s:]{1,255}@[^<>\s]{1,255})(?:[ ][A-Za-z0-9=\-_.+]{1,64}){0,8}"
    rb"|RCPT[ ]TO:[ ]?(?:<[^<>\s]{0,510}>|[^<>\s:]{1,255}@[^<>\s]{1,255})(?:[ ][A-Za-z0-9=\-_.+;]{1,64}){0,8}"
    rb"|DATA|QUIT|RSET|NOOP|STARTTLS|BDAT[ ]\d{1,12}(?:[ ]LAST)?)[ ]?\r?\n"
)
_AUTH = re.compile(rb"(?i)\s*AUTH\b")
_BDAT = re.compile(rb"(?i)\s*BDAT[ \t]+(\d{1,12})(?:[ \t]+(LAST))?")
# An address: everything before its last '@' is the local part (a quoted one may hold '@' and
# spaces, a source route "@relay:" comes first); only the domain after it is kept.
_ADDR = re.compile(rb"<([^<>]*)@([A-Za-z0-9.\-\[\]:]{1,255})>")
_BARE_ADDR = re.compile(
    rb"(?i)((?:FROM|TO):[ \t]*)([^<>\s:]+)@([A-Za-z0-9.\-\[\]:]{1,255})(?=[ \t\r\n]|$)"
)
# An ESMTP parameter's value (AUTH=taro+40example.jp, ORCPT=rfc822;hanako+40example.org) may
# name the user or a recipient: its keyword is kept, its value is not.
_PARAM = re.compile(rb"(?<=[ ])([A-Za-z0-9][A-Za-z0-9\-]{0,30}=)([^ \r\n]+)")
_PATH_VERB = re.compile(rb"(?i)\s*(?:MAIL[ ]FROM|RCPT[ ]TO):")
_REPLY = re.compile(rb"(\d{3})([ -]?)((?:[245]\.\d{1,3}\.\d{1,3})?)")


def mask_local_parts(data: bytes) -> bytes:
    """Same length, local parts of addresses (in <> or after FROM:/TO:) replaced by '*', and
    on MAIL FROM / RCPT TO lines the values of their parameters too."""
    data = _ADDR.sub(lambda m: b"<" + b"*" * len(m.group(1)) + b"@" + m.group(2) + b">", data)
    data = _BARE_ADDR.sub(lambda m: m.group(1) + b"*" * len(m.group(2)) + b"@" + m.group(3), data)
    if not _PATH_VERB.search(data):
        return data
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        verb = _PATH_VERB.match(line)
        if verb:
            lines[i] = line[: verb.end()] + _PARAM.sub(
                lambda m: m.group(1) + b"*" * len(m.group(2)), line[verb.end() :]
            )
    return b"\n".join(lines)


def address_domain(line: bytes) -> str | None:
    a = _ADDR.search(line) or _BARE_ADDR.search(line)
    if a is None:
        return None
    return a.group(a.lastindex).decode("ascii", "replace").lower()


class Session:
    """The SMTP session as its client stream shows it, with the server's replies."""

    __slots__ = (
        "auth_seen",
        "awaiting_end",
        "bdat_left",
        "data_pending",
        "dot_before_354",
        "ehlo",
        "head",
        "in_auth",
        "in_data",
        "line_len",
        "mail_from",
        "messages_accepted",
        "messages_refused",
        "next_seq",
        "pending",
        "pending_bytes",
        "rcpt_domains",
        "replied",
        "synced",
        "tls",
        "unfollowed",
    )

    def __init__(self, tls: bool = False):
        self.next_seq: int | None = None  # the stream offset expected next (after the SYN)
        self.synced = False  # the connection's start was seen: lines can be placed
        self.pending: dict[int, bytes] = {}  # segments after a gap, by sequence number
        self.pending_bytes = 0
        self.unfollowed = False  # a gap never filled: the rest of the stream is not read
        self.replied = False  # the server has answered (a connection seen from its middle)
        self.head = b""  # the start of the line under way (at most LINE_HEAD bytes)
        self.line_len = 0  # its whole length so far
        self.tls = tls
        self.in_auth = self.auth_seen = False
        self.data_pending = self.in_data = self.dot_before_354 = False
        self.bdat_left = 0
        self.awaiting_end = False
        self.messages_accepted = self.messages_refused = 0
        self.ehlo: str | None = None
        self.mail_from: list[str] = []
        self.rcpt_domains: list[str] = []

    @property
    def partly_read(self) -> bool:
        """A gap in the client's stream that was never filled: what came after it was not read."""
        return self.unfollowed or bool(self.pending)

    # --- the client's bytes ---------------------------------------------------------------------

    def syn(self, seq: int) -> None:
        """The client's SYN: the stream starts right after it."""
        if self.next_seq is None or not self.synced:
            self.next_seq, self.synced = (seq + 1) % SEQ_MOD, True

    def segment(self, seq: int, payload: bytes) -> int:
        """Read one client segment; return how many of its first bytes may be kept."""
        if self.next_seq is None:
            if not self.replied:
                # A connection whose start was not captured: a body or an AUTH exchange may be
                # under way. After a server reply the client is between commands (or in a body,
                # after 354), so its next segment starts a line: read from there, keep nothing.
                return 0
            self.next_seq = seq
        if self.unfollowed:
            return 0
        ahead = (seq - self.next_seq) % SEQ_MOD
        if ahead and ahead < HALF:
            self._hold(seq, payload)  # after a gap: read when the gap is filled, never kept
            return 0
        if ahead:  # a retransmission, perhaps with new bytes after what was read
            skip = (self.next_seq - seq) % SEQ_MOD
            if skip >= len(payload):
                return 0
            self._read(payload[skip:], False)
            self._drain()
            return 0
        keep = self._read(payload, self.synced)
        self._drain()
        return keep

    def _hold(self, seq: int, payload: bytes) -> None:
        if seq in self.pending:
            return
        self.pending[seq] = payload
        self.pending_bytes += len(payload)
        if len(self.pending) > MAX_PENDING_SEGMENTS or self.pending_bytes > MAX_PENDING_BYTES:
            self.unfollowed, self.pending, self.pending_bytes = True, {}, 0

    def _drain(self) -> None:
        while self.pending and self.next_seq is not None:
            payload = self.pending.pop(self.next_seq, None)
            if payload is None:
                # A held segment that overlaps what was read: take its new part.
                for seq in list(self.pending):
                    behind = (self.next_seq - seq) % SEQ_MOD
                    if behind < HALF:
                        data = self.pending.pop(seq)
                        self.pending_bytes -= len(data)
                        if behind < len(data):
                            self._read(data[behind:], False)
                        break
                else:
                    return
                continue
            self.pending_bytes -= len(payload)
            self._read(payload, False)

    def _read(self, data: bytes, may_keep: bool) -> int:
        """Advance the stream over ``data``; the length of its kept prefix when ``may_keep``."""
        assert self.next_seq is not None
        self.next_seq = (self.next_seq + len(data)) % SEQ_MOD
        keep = 0
        keeping = may_keep and self.line_len == 0 and self._between_commands()
        start = 0
        size = len(data)
        while start < size:
            if self.tls:
                return keep  # encrypted from here on: nothing read, nothing kept
            if self.bdat_left and self.line_len == 0:
                taken = min(self.bdat_left, size - start)
                self.bdat_left -= taken
                start += taken
                keeping = False
                continue
            end = data.find(b"\n", start)
            if end < 0:
                self._extend(data[start:])
                return keep
            piece = data[start : end + 1]
            line = self._finish(piece)
            was_command = self._between_commands()
            self._line(line)
            if keeping and was_command and _ALLOWED.fullmatch(line):
                keep = end + 1
            else:
                keeping = False
            start = end + 1
        return keep

    def _extend(self, piece: bytes) -> None:
        if len(self.head) < LINE_HEAD:
            self.head += piece[: LINE_HEAD - len(self.head)]
        self.line_len += len(piece)

    def _finish(self, piece: bytes) -> bytes:
        """The line ending with ``piece``; cut to its head, with a byte no command holds, when
        it was longer than what is held or than a command line can be."""
        whole = self.head + piece if self.line_len else piece
        total = self.line_len + len(piece)
        self.head, self.line_len = b"", 0
        if total > len(whole) or total > MAX_LINE:
            return whole[:LINE_HEAD] + b"\xff"
        return whole

    def _between_commands(self) -> bool:
        return not (self.tls or self.in_auth or self.data_pending or self.in_data or self.bdat_left)

    def _line(self, line: bytes) -> None:
        """One whole client line, in stream order."""
        if self.in_auth:
            return
        body_end = line.rstrip(b"\r\n") == b"."
        if self.in_data:
            if body_end:
                self.in_data, self.awaiting_end = False, True
            return
        if self.data_pending:
            # Bytes before the server's 354: a client that did not wait. Only whether the
            # message already ended matters.
            self.dot_before_354 = self.dot_before_354 or body_end
            return
        if _AUTH.match(line):
            self.in_auth = self.auth_seen = True
            return
        verb = line.lstrip()[:8].upper()
        if verb.startswith((b"EHLO", b"HELO", b"LHLO")):
            parts = line.split(None, 1)
            self.ehlo = parts[1].decode("ascii", "replace").strip()[:255] if len(parts) > 1 else ""
        elif verb.startswith(b"MAIL"):
            domain = address_domain(line)
            if domain and len(self.mail_from) < 50:
                self.mail_from.append(domain)
        elif verb.startswith(b"RCPT"):
            domain = address_domain(line)
            if domain and len(self.rcpt_domains) < 200:
                self.rcpt_domains.append(domain)
        elif verb.startswith(b"DATA") and line.strip().upper() == b"DATA":
            self.data_pending = True
        elif verb.startswith(b"BDAT"):
            b = _BDAT.match(line)
            if b:
                self.bdat_left = int(b.group(1))
                self.awaiting_end = bool(b.group(2))
        elif verb.startswith(b"STARTTLS"):
            self.tls = True

    # --- the server's replies -----------------------------------------------------------------

    def replies(self, payload: bytes) -> None:
        """Read a server segment: each final reply line moves the session on."""
        for line in payload.splitlines():
            if len(line) >= 3 and line[:3].isdigit() and line[3:4] in (b" ", b""):
                self._reply(line[:3])

    def _reply(self, code: bytes) -> None:
        if self.next_seq is None and not self.replied:
            # The first reply of a connection seen from its middle: 354 means a body follows.
            self.replied = True
            if code == b"354":
                self.in_data = True
            return
        if self.in_auth:
            if code == b"235" or code[:1] in (b"4", b"5"):
                self.in_auth = False
            return
        if self.data_pending:
            if code == b"354":
                self.data_pending = False
                if self.dot_before_354:
                    self.awaiting_end, self.dot_before_354 = True, False
                else:
                    self.in_data = True
            elif code[:1] in (b"4", b"5"):
                self.data_pending = self.dot_before_354 = False  # refused: no body follows
                self.messages_refused += 1
            return
        if self.awaiting_end and not self.in_data and not self.bdat_left:
            if code == b"250":
                self.messages_accepted += 1
                self.awaiting_end = False
            elif code[:1] in (b"4", b"5"):
                self.messages_refused += 1
                self.awaiting_end = False


def server_bytes(payload: bytes, session: Session | None) -> bytes:
    """What may be kept of a server segment: each reply line's code and enhanced status; its
    words only for a greeting (220) or an acceptance (250); nothing during AUTH or under TLS.
    Same length as what is kept (masked words become '*'); the first line that is no reply
    ends what is kept."""
    if session is not None and (session.in_auth or session.tls):
        return b""
    out = []
    for line in payload.splitlines(keepends=True):
        m = _REPLY.match(line)
        if m is None:
            break
        code = m.group(1)
        if code in (b"220", b"250"):
            out.append(mask_local_parts(line))
        else:
            head = m.end()
            words = line[head:].rstrip(b"\r\n")
            masked = bytes(c if c == 0x20 else 0x2A for c in words)
            out.append(line[:head] + masked + line[head + len(words) :])
    return b"".join(out)
