"""Text from outside shown as what it is.

A name a user typed, a program's name read from the system (malware chooses its own), a line
of a notice: any of them can hold control characters that move a terminal's cursor or clear
its screen (ESC [2J), or Unicode bidi controls (U+202E) that make "evil\u202etxt.exe" read
as "evilexe.txt". Wherever such text is shown — letters, reports, the window's words, the
terminal — each of those characters is written as a visible escape, <U+202E>, so the reader
sees that something is there and what it is, and nothing is silently removed from evidence.
Tabs and line ends stay (a letter has lines); a lone carriage return does not (it rewrites
the line it is on).
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab and line feed) and C1 controls
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"  # bidi, zero-width, invisible
    "\ufeff\ufff9-\ufffb]"
    "|\r(?!\n)"  # a carriage return that does not end a line
)


def _escape(m: re.Match) -> str:
    return f"<U+{ord(m.group(0)):04X}>"


def visible(text: str) -> str:
    """``text`` with every control and invisible formatting character written as <U+XXXX>."""
    return _HIDDEN.sub(_escape, text) if _HIDDEN.search(text) else text


def finalize(value: Any) -> Any:
    """For jinja's ``finalize``: every string a template prints."""
    return visible(value) if isinstance(value, str) else value


class VisibleStream:
    """A text stream whose ``write`` shows hidden characters; ``raw`` writes Clearline's own
    terminal controls (a progress line's carriage return and erase) as they are."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(visible(text))

    def raw(self, text: str) -> int:
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def terminal_streams() -> None:
    """Standard output and error as a support agent's terminal or a program reading a pipe
    needs them: UTF-8 into a pipe or a file (JSON lines in Japanese through any Windows code
    page), the console's own encoding with replacement where it lacks a character (a cp932
    console never stops a command), and hidden characters from outside shown as <U+XXXX>."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or isinstance(stream, VisibleStream):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                if stream.isatty():
                    reconfigure(errors="replace")
                else:
                    reconfigure(encoding="utf-8", errors="replace")
            except (OSError, ValueError):
                pass
        setattr(sys, name, VisibleStream(stream))
