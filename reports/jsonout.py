"""A JSON document written in pieces: the same text as ``json.dumps(value, ensure_ascii=False)``,
without holding all of it (and its encoded copy) at once.

A capture's summary lists every destination, twice with its result's facts: tens of thousands of
entries, megabytes of text that `analyze --json` would otherwise build whole before printing.
Containers larger than ``PIECE`` items are written item by item with json's own separators;
the rest, and anything json would convert on its own (keys that are not strings), go through
json.dumps whole.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

PIECE = 256  # containers with more items than this are written item by item
FLUSH = 1 << 16  # characters gathered before each write


def write(stream: TextIO, value: Any) -> None:
    out: list[str] = []
    size = 0
    for piece in _pieces(value):
        out.append(piece)
        size += len(piece)
        if size >= FLUSH:
            stream.write("".join(out))
            out, size = [], 0
    stream.write("".join(out))


def _pieces(value: Any):
    kind = type(value)
    if kind is dict and all(type(k) is str for k in value) and _large(value):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield (", " if i else "") + json.dumps(key, ensure_ascii=False) + ": "
            yield from _pieces(item)
        yield "}"
    elif kind in (list, tuple) and any(_large(v) for v in value):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ", "
            yield from _pieces(item)
        yield "]"
    elif kind in (list, tuple) and len(value) > PIECE:
        # json.dumps of a list is its items' texts between brackets, joined by ", ".
        yield "["
        for start in range(0, len(value), PIECE):
            text = json.dumps(value[start : start + PIECE], ensure_ascii=False)
            yield (", " if start else "") + text[1:-1]
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False)


def _large(value: Any) -> bool:
    """A container worth writing in pieces: many items, or containers inside."""
    kind = type(value)
    if kind is dict:
        return len(value) > PIECE or any(type(v) in _CONTAINERS for v in value.values())
    if kind in _CONTAINERS:
        return len(value) > PIECE or any(type(v) in _CONTAINERS for v in value)
    return False


_CONTAINERS = (dict, list, tuple)
