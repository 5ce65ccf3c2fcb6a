"""Plain-text output for the terminal: a short table a support person can read out."""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import UTC, datetime

from checks import dates
from checks.claim_doc import Claim
from checks.i18n import _, get_language
from checks.model import Result, Status
from checks.timefmt import human

# Colour is never the only signal: every status has a word and a symbol.
_SYMBOL = {
    Status.PASS: "✔",
    Status.WARN: "!",
    Status.FAIL: "✖",
    Status.UNKNOWN: "?",
    Status.SKIPPED: "-",
    Status.ERROR: "E",
}


def status_label(status: Status) -> str:
    labels = {
        Status.PASS: _("OK"),
        Status.WARN: _("WARNING"),
        Status.FAIL: _("PROBLEM"),
        Status.UNKNOWN: _("UNKNOWN"),
        Status.SKIPPED: _("SKIPPED"),
        Status.ERROR: _("ERROR"),
    }
    return labels[status]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


_NO_LINE_START = set("、。，．・：；？！）」』】〕ー…")


_TOKENS = re.compile(r"[\x21-\x7e]+|\s+|.", re.S)


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Lines of at most ``width`` display columns (a CJK character is 2). A run of ASCII
    letters, digits and symbols (a word, a command, a path) is never split unless it alone is
    wider than the line; Japanese breaks between characters, and closing punctuation never
    starts a line (kinsoku)."""
    room = max(10, width - display_width(indent))
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            if line and not line.endswith(" "):
                line += " "
            continue
        candidate = line + token
        if display_width(candidate.rstrip()) <= room or not line.strip():
            line = candidate
        elif token in _NO_LINE_START and len(line.rstrip()) > 1:
            # A closing mark never starts a line: the character before it goes down with it.
            body = line.rstrip()
            lines.append(body[:-1])
            line = body[-1] + token
        else:
            lines.append(line.rstrip())
            line = token
        while display_width(line) > room and len(line) > 1:
            # One token wider than the line: cut it where it must be cut.
            cut = 1
            while cut < len(line) and display_width(line[: cut + 1]) <= room:
                cut += 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return [indent + ln for ln in lines]


def format_result(result: Result, width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((100, 20)).columns, 120)
    label = f"{_SYMBOL[result.status]} {status_label(result.status)}"
    head = f"{_pad(label, 12)} {_pad(result.id, 14)} "
    title = _wrap(result.title, width, " " * display_width(head))
    lines = [head + title[0].lstrip(), *title[1:]]
    lines += _wrap(result.summary, width, " " * 13)
    for i, step in enumerate(result.advice, 1):
        wrapped = _wrap(step, width, " " * 16)
        wrapped[0] = " " * 13 + f"{i}. " + wrapped[0].lstrip()
        lines += wrapped
    return "\n".join(lines)


def in_catalog_order(results: list[Result]) -> list[Result]:
    """Problems first, then warnings, could-not-tell, the rest; within each, the catalog's
    order: the same run always prints the same way."""
    from checks import registry
    from checks.model import SEVERITY

    order = {spec.id: i for i, spec in enumerate(registry.ALL)}
    return sorted(results, key=lambda r: (-SEVERITY[r.status], order.get(r.id, len(order))))


def format_footer(results: list[Result]) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in Status}
    parts = [f"{status_label(s)} {n}" for s, n in counts.items() if n]
    return " · ".join(parts)


def format_notice(doc: dict) -> str:
    """The claim as understood, in a few lines a support person can read out."""
    claim = Claim.from_dict(doc.get("claim"))
    lines = [_("The provider's claim as understood:")]
    if claim.reference:
        lines.append("  " + _("Reference: {ref}").format(ref=claim.reference))
    # As the letter restates them: the notice's own hours in its own zone, and this PC's beside
    # them when it is in another (support staff abroad read a Japan-time notice right).
    zone = datetime.now().astimezone().tzinfo or UTC
    for when in dates.claimed_times(claim, zone, get_language()):
        lines.append("  " + _("Time: {when}{extra}").format(when=when, extra=""))
    for t in claim.times:
        # The times a sample or a report's fields carry (its Date, Arrival-Date), on this PC.
        start = (dates.parse(t.local) or t.start) if t.source else None
        if start is not None:
            lines.append("  " + _("Time: {when}{extra}").format(when=human(start), extra=""))
    if claim.source_ips:
        lines.append("  " + _("Source IP: {ips}").format(ips=", ".join(claim.source_ips)))
    if claim.source_ports:
        lines.append(
            "  " + _("Source port: {ports}").format(ports=", ".join(map(str, claim.source_ports)))
        )
    if claim.destination_ports:
        lines.append(
            "  "
            + _("Destination port: {ports}").format(
                ports=", ".join(map(str, claim.destination_ports))
            )
        )
    if claim.count is not None:
        lines.append("  " + _("Messages: {n}").format(n=claim.count))
    lines.append(_("Verdict: {verdict}").format(verdict=verdict_label(doc.get("verdict"))))
    if doc.get("explanation"):
        lines += _wrap(
            doc["explanation"], min(shutil.get_terminal_size((100, 20)).columns, 120), "  "
        )
    for w in doc.get("warnings", []):
        # Warnings are kept in English in notice.json (evidence); the fixed ones are msgids and
        # are shown in the reader's language, the rest (with figures in them) as written.
        lines.append("  ! " + _(w))
    return "\n".join(lines)


def verdict_label(verdict: str | None) -> str:
    return {
        "direct": _("sent directly from an end-user line (a bot)"),
        "account": _("sent through a mail account (stolen password)"),
        "forged": _("sender address forged; sent from elsewhere"),
    }.get(verdict or "", _("could not tell"))
