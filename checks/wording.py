"""Words at the edge: (result, language) -> title, summary, advice.

A Result holds a reason code and typed params, never prose. Each check module registers a
phrasebook here when it is imported: its title, a table from reason code to message, a table from
advice code to message, and, where a table is not enough, a function that words a result from
its reason and params. Everything that shows a result (the console, the window, the report, the
letter) calls :func:`words` at the moment it shows it, so a stored case reads in either language
and switching the window's language never re-runs a check.

Messages are gettext msgids (marked with ``N_`` or ``Np_`` for plurals), translated through the
one catalog in checks/i18n.py when they are worded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from checks import catalogue, i18n
from checks.i18n import N_, _


class Result(Protocol):
    """What wording reads of a result (checks.model.Result): declared here, not imported, so
    that the model may call its words and the import order stays one-way."""

    id: str
    reason: str
    params: Mapping[str, Any]
    advice_codes: tuple[str, ...]


# A message: a msgid, or (singular, plural) counted by the param ``n`` (or (s, p, "key")).
Msg = str | tuple[str, ...]


@dataclass(frozen=True)
class Words:
    title: str
    summary: str
    advice: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phrasebook:
    """How one check's results are worded.

    ``titles``: check ID -> title msgid (a module may own several IDs).
    ``summaries``/``advice``: reason code / advice code -> message, formatted with the params.
    ``prepare``: turns typed params into display values in the active language (e.g. a list of
    reason codes into words) before the tables are formatted.
    ``word``: for a result whose words need more than a table: returns (summary, advice) in the
    active language, or None to fall back to the tables.
    """

    titles: Mapping[str, str]
    summaries: Mapping[str, Msg] = field(default_factory=dict)
    advice: Mapping[str, Msg] = field(default_factory=dict)
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    word: Callable[[Result], tuple[str, list[str]] | None] | None = None


def modules() -> dict[str, str]:
    """Which module words which check (the catalogue's). Found on first use, so that start-up
    imports no check."""
    return {entry.id: entry.module for entry in catalogue.entries()}


def __getattr__(name: str):
    if name == "MODULES":
        return modules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_BOOKS: dict[str, Phrasebook] = {}


def register(book: Phrasebook) -> Phrasebook:
    for check_id in book.titles:
        _BOOKS[check_id] = book
    return book


def book_for(check_id: str) -> Phrasebook | None:
    if check_id not in _BOOKS:
        known = modules()  # finding the catalogue imports every check module
        if check_id in known:
            importlib.import_module(known[check_id])
    return _BOOKS.get(check_id)


def title_msgid(check_id: str) -> str | None:
    book = book_for(check_id)
    return book.titles.get(check_id) if book else None


# Reasons any check can have: the runner makes them, not the check.
COMMON_SUMMARIES: dict[str, str] = {
    "not_this_platform": N_("This check does not apply to this operating system."),
    "network_off": N_("Network lookups are switched off, so this check did not run."),
    "needs_admin": N_("This check needs administrator rights."),
    "timed_out": N_(
        "The check took longer than {seconds:g} seconds and was stopped, so we could not tell."
    ),
    "check_error": N_("The check itself failed; the other checks are not affected."),
    "cancelled": N_("The check was stopped before it finished."),
}
COMMON_ADVICE: dict[str, str] = {}


# The zone times are shown in: the user's, set by whoever words a result for a document (the
# letter, the report); None shows each time with the offset it was recorded with.
from contextvars import ContextVar  # noqa: E402

display_zone: ContextVar[Any] = ContextVar("clearline_display_zone", default=None)


class _Display(dict):
    """Params as the words show them: lists joined, times in human form, nothing missing."""

    def __missing__(self, key: str) -> str:
        return "…"


def display_value(key: str, value: Any) -> Any:
    from checks.timefmt import human, human_span

    zone = display_zone.get()

    def moment(text: str) -> datetime:
        dt = datetime.fromisoformat(text)
        return dt.astimezone(zone) if zone is not None and dt.tzinfo else dt

    if isinstance(value, str) and (key.endswith("_at") or key in ("time", "when")):
        try:
            return human(moment(value))
        except (ValueError, OverflowError):
            return value
    if key.endswith("span") and isinstance(value, list | tuple) and len(value) == 2:
        try:
            return human_span(moment(value[0]), moment(value[1]))
        except (TypeError, ValueError, OverflowError):
            return " – ".join(str(v) for v in value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "…"
    return value


def _visible(value: Any) -> Any:
    from checks.visible import visible

    return visible(value) if isinstance(value, str) else value


def render(message: Msg, params: Mapping[str, Any]) -> str:
    """One message in the active language, formatted with ``params``; never raises."""
    if isinstance(message, tuple):
        singular, plural = message[0], message[1]
        key = message[2] if len(message) > 2 else "n"
        try:
            n = int(params.get(key) or 0)
        except (TypeError, ValueError):
            n = 0
        text = i18n.ngettext(singular, plural, n)
    else:
        text = _(message)
    shown = _Display({k: _visible(display_value(k, v)) for k, v in params.items()})
    try:
        return text.format_map(shown)
    except (ValueError, IndexError, AttributeError, KeyError, TypeError):
        return text


def words(result: Result, lang: str | None = None) -> Words:
    """The result in words, in ``lang`` (default: the active language)."""
    token = i18n.use_language(lang) if lang else None
    try:
        return _words(result)
    finally:
        if token is not None:
            i18n.reset_language(token)


def _words(result: Result) -> Words:
    params = dict(result.params)
    if result.reason == "legacy_text":
        # Written before results carried codes: the words are kept as they were written.
        return Words(
            str(params.get("title") or result.id),
            str(params.get("summary") or ""),
            tuple(str(a) for a in params.get("advice") or ()),
        )
    book = book_for(result.id)
    title = _(book.titles[result.id]) if book else result.id
    if result.reason in COMMON_SUMMARIES:
        advice = [
            render(COMMON_ADVICE[c], params) for c in result.advice_codes if c in COMMON_ADVICE
        ]
        return Words(title, render(COMMON_SUMMARIES[result.reason], params), tuple(advice))
    if book is None:
        return Words(title, result.reason, ())
    worded = book.word(result) if book.word else None
    if worded is not None:
        summary, advice = worded
        return Words(title, summary, tuple(dict.fromkeys(advice)))
    shown = book.prepare(dict(params)) if book.prepare else params
    message = book.summaries.get(result.reason)
    summary = render(message, shown) if message is not None else result.reason
    # Further sentences that complete the summary (e.g. "the internet sees this line as ...").
    for code in params.get("also") or ():
        if code in book.summaries:
            summary += " " + render(book.summaries[code], shown)
    advice_list = []
    # An advice line may need values of its own (another program's name): params["advice_params"]
    # holds them by advice code.
    own = params.get("advice_params") if isinstance(params.get("advice_params"), dict) else {}
    for code in result.advice_codes:
        msg = book.advice.get(code) or COMMON_ADVICE.get(code)
        if msg is not None:
            extra = own.get(code) if isinstance(own.get(code), dict) else {}
            advice_list.append(render(msg, {**shown, **extra}))
    return Words(title, summary, tuple(dict.fromkeys(advice_list)))


def check_tables() -> list[str]:
    """Problems in the registered phrasebooks (for tests): every module imported."""
    problems = []
    known = modules()
    for module in set(known.values()):
        importlib.import_module(module)
    for check_id in known:
        if check_id not in _BOOKS:
            problems.append(f"{check_id}: no phrasebook registered")
    return problems
