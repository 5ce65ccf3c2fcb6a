"""Every check Clearline has, once: its ID, the module that runs and words it, and each facet the
rest of the program would otherwise guess from a list of its own (what produces it, what part
it plays in the answer, its place in the audit and in the letter, where step 4 fixes it, which
answers mean an infection).

Each check module declares its own entries (``ENTRIES``, beside its ``SPECS`` and phrasebook);
the catalogue is what the modules of checks/ declare, found on first use. So a new check is its
own module (and its words in each language's message catalogue); no list elsewhere names it.
The wording, the runner's registry, the assessment, the guidance, the view model and the window
all read the catalogue, from any floor. Found lazily, so that importing this module imports no
check: the window paints before any is loaded."""

from __future__ import annotations

import importlib
import pkgutil
import threading
from dataclasses import dataclass, field

# What produces a check's results.
AUDIT, CAPTURE, NOTICE = "audit", "capture", "notice"
# The part a check plays in the answer.
MAIL = "mail"  # evidence that this PC or line sent mail (the assessment's sightings)
DEFENCE = "defence"  # what keeps a PC and home safe; step 4 lists its warnings to fix
CONTEXT = "context"  # facts that frame the answer (clock, address kind, devices, lists)
CLAIM = "claim"  # what the notice says and whether this line could have done it
ANY_FAIL = frozenset({"*"})  # every FAIL of the check means an infection


@dataclass(frozen=True)
class Entry:
    id: str
    module: str
    source: str
    role: str
    letter: int | None = None  # its place in the letter's list of findings; None: not listed
    fix: str | None = None  # the place step 4 opens to fix it ("scan", "updates", ...)
    infection: frozenset[str] = frozenset()  # FAIL reasons that mean this PC is infected
    # Its place among all checks: the audit runs them, and lists of results show them, in this
    # order. Numbers with gaps (10, 20, ...), so that a new check takes a place between two.
    order: int = field(default=0, kw_only=True)

    def shows_infection(self, status: str, reason: str) -> bool:
        return status == "fail" and ("*" in self.infection or reason in self.infection)


_found: tuple[Entry, ...] | None = None
_finding = threading.Lock()


def entries() -> tuple[Entry, ...]:
    """Every check's entry, in the catalogue's order: what the modules of checks/ declare."""
    global _found
    if _found is None:
        with _finding:
            if _found is None:
                _found = _discover()
    return _found


def _discover() -> tuple[Entry, ...]:
    import checks

    found: list[Entry] = []
    for info in pkgutil.iter_modules(checks.__path__, "checks."):
        if not info.ispkg:
            module = importlib.import_module(info.name)
            found += getattr(module, "ENTRIES", ())
    return _validated(found)


def _validated(found: list[Entry]) -> tuple[Entry, ...]:
    """The entries in order, or an error naming what two modules both claim: a check that
    silently shadowed another would never run or never be worded."""
    if not found:  # a packaged app that cannot list its own modules must not run no checks
        raise RuntimeError("no check declares an entry: the checks package cannot be listed")
    for what, key in (("ID", lambda e: e.id), ("order", lambda e: e.order)):
        seen: dict[object, Entry] = {}
        for e in found:
            if key(e) in seen:
                raise RuntimeError(f"{seen[key(e)].id} and {e.id} share one {what}: {key(e)}")
            seen[key(e)] = e
    return tuple(sorted(found, key=lambda e: e.order))


_indexed: tuple[tuple[Entry, ...], dict[str, Entry], dict[str, int]] | None = None


def _index() -> tuple[tuple[Entry, ...], dict[str, Entry], dict[str, int]]:
    """The entries by ID and by position, built once per catalogue (a sort key and every
    worded result look them up)."""
    global _indexed
    found = entries()
    if _indexed is None or _indexed[0] is not found:
        _indexed = (found, {e.id: e for e in found}, {e.id: i for i, e in enumerate(found)})
    return _indexed


def by_id() -> dict[str, Entry]:
    return _index()[1]


def order() -> dict[str, int]:
    """Each ID's position in the catalogue (0, 1, 2, ...)."""
    return _index()[2]


def __getattr__(name: str):
    # The names the catalogue had when it was a list written here, for readers and tests.
    lazy = {"CATALOGUE": entries, "BY_ID": by_id, "ORDER": order}
    if name in lazy:
        return lazy[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def ids(*, role: str | None = None, source: str | None = None) -> tuple[str, ...]:
    """The IDs with that role and source, in catalogue order."""
    return tuple(
        e.id
        for e in entries()
        if (role is None or e.role == role) and (source is None or e.source == source)
    )


def modules(source: str | None = None) -> tuple[str, ...]:
    """The check modules, each once, in the order of their first check."""
    return tuple(dict.fromkeys(e.module for e in entries() if source in (None, e.source)))


def letter_checks() -> tuple[str, ...]:
    """The checks the letter states, one sentence each, in the letter's order."""
    listed = [e for e in entries() if e.letter is not None]
    return tuple(e.id for e in sorted(listed, key=lambda e: e.letter or 0))


def fix_place(check_id: str) -> str:
    entry = by_id().get(check_id)
    return entry.fix if entry and entry.fix else "scan"


def shows_infection(check_id: str, status: str, reason: str) -> bool:
    """Does this result say the PC is infected (a program sending or relaying mail, or a scanner
    that found malware)? Not: a missing or expired scanner, which is a warning to fix."""
    entry = by_id().get(check_id)
    return entry is not None and entry.shows_infection(str(status), reason)
