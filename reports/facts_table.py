"""The facts behind a result as rows a support agent reads over the phone: one dotted name and
one value per row, lists of records numbered, empty things said as empty. Pure, no Qt.

The names stay the program's own (as in `audit --json` and `diagnose`), so the user on the phone
and the support agent reading a diagnose file say the same word; the window labels the table as
being for support. Only the values (yes/no, empty) are put into the reader's language."""

from __future__ import annotations

from typing import Any

MAX_ROWS = 400  # a capture's facts can be large: the table stops and says how many it left


def rows(facts: Any, empty: str = "—", yes: str = "yes", no: str = "no") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    left = _walk("", facts, out, empty, (yes, no))
    if left:
        out.append(("…", f"+{left}"))
    return out


def _walk(
    name: str, value: Any, out: list[tuple[str, str]], empty: str, words: tuple[str, str]
) -> int:
    """Append the rows of ``value``; returns how many were left out beyond MAX_ROWS."""
    if isinstance(value, dict):
        if not value:
            return _add(out, name, empty)
        left = 0
        for key, item in value.items():
            left += _walk(f"{name}.{key}" if name else str(key), item, out, empty, words)
        return left
    if isinstance(value, list | tuple):
        if not value:
            return _add(out, name, empty)
        if all(not isinstance(v, dict | list | tuple) for v in value):
            return _add(out, name, ", ".join(_scalar(v, words) for v in value))
        left = 0
        for i, item in enumerate(value, 1):
            left += _walk(f"{name}[{i}]", item, out, empty, words)
        return left
    return _add(out, name, _scalar(value, words) if value not in (None, "") else empty)


def _add(out: list[tuple[str, str]], name: str, value: str) -> int:
    if len(out) >= MAX_ROWS:
        return 1
    out.append((name or "·", value))
    return 0


def _scalar(value: Any, words: tuple[str, str]) -> str:
    if isinstance(value, bool):
        return words[0] if value else words[1]
    return str(value)
