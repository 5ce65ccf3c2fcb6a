"""The case store: one folder per incident, and the only module that knows its file names.

Every change goes through :meth:`Case.update`, which takes a cross-process lock (filelock), reads
the current state under it, lets the caller change it, then writes every changed file as one
unit: each new file is written and fsynced under a temporary name first, and only when all of
them are on disk are they renamed into place. So parallel commands and the window never lose an
update, a failure before the renames (disk full, a crash, an exception in the caller) changes
nothing, and a reader never sees a half-written file.

A file that cannot be read (truncated JSON, wrong types, binary) is reported by name in
:attr:`Case.damaged`, and the rest of the case is still used; the next update sets it aside under
a new name (kept, never deleted) before writing a fresh one.

Schema: 1 was the first round's layout (results with title/summary/advice text, no case.json);
2 adds case.json and results with reason codes. Results of schema 1 load as ``legacy_text`` (see
checks/model.py); nothing else changed shape, so a schema-1 folder is used as it is and gets its
case.json on the first update.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from checks.i18n import _

if TYPE_CHECKING:
    from checks.model import Result

SCHEMA_VERSION = 2

META_FILE = "case.json"
RESULTS_FILE = "results.json"
HISTORY_FILE = "history.json"
DETAILS_FILE = "details.json"
REMEDIATION_FILE = "remediation.json"
NOTICE_FILE = "notice.json"
NOTICE_TEXT_FILE = "notice_input.txt"
CAPTURE_FILE = "capture.json"
JOURNAL_FILE = "journal.json"  # a range of the outbound-mail journal, with its chain proof
PCAP_FILE = "capture.pcap"
LOCK_FILE = ".case.lock"
# The JSON files of a case (tests fuzz every one of them).
CASE_FILE_NAMES = (
    META_FILE,
    RESULTS_FILE,
    HISTORY_FILE,
    DETAILS_FILE,
    REMEDIATION_FILE,
    NOTICE_FILE,
    CAPTURE_FILE,
    JOURNAL_FILE,
)
LOCK_TIMEOUT_S = 60.0

# The user's details that go into the letter. Every one is optional: a missing one is shown as
# a blank to fill in, never invented.
DETAIL_FIELDS = ("name", "contract_id", "provider", "reference", "notice_date", "email", "phone")
MAX_DETAIL_LENGTH = 200

# Remediation steps the letter can report, in the order they are most effective.
REMEDIATION_STEPS = ("disconnect", "scan", "removal", "reinstall", "updates", "password", "router")


def edited_letter_file(lang: str) -> str:
    return f"letter.{lang}.edited.txt"


def edited_base_file(lang: str) -> str:
    """The SHA-256 of the generated letter the user started editing from: when the generated
    letter changes later (new facts), the edited one is out of date."""
    return f"letter.{lang}.edited.base"


class CaseBusy(RuntimeError):
    """Another process held the case's lock for longer than LOCK_TIMEOUT_S."""


class CaseError(ValueError):
    """A request the case refuses (an unknown step, a date in the future, ...)."""


def default_root() -> Path:
    from platformdirs import user_data_path

    return user_data_path("Clearline", appauthor=False) / "cases"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``path`` so that it is either the old or the new content, never a mix."""
    from cases.folder import Folder

    folder = Folder(path.parent)
    try:
        commit(folder, {path.name: data})
    finally:
        folder.close()


class CommitFailed(OSError):
    """A case update could not be applied; the case is as it was before it."""


def commit(folder, files: dict[str, bytes | None]) -> None:
    """All or nothing. Every target is checked before anything is renamed (a folder, a link or
    a FIFO where a file goes fails the whole update at once); each new file is staged and
    fsynced; the old files are kept under backup names (hard links) while the new ones are
    renamed into place; if any step fails, what was done is undone. ``None`` removes a file."""
    for name in files:
        kind = folder.kind(name)
        if kind not in (None, "file"):
            raise CommitFailed(errno.EEXIST, f"{name} in the case is a {kind}, not a file")
    staged: dict[str, str] = {}
    backups: dict[str, str] = {}
    done: list[str] = []
    try:
        for name, data in files.items():
            if data is not None:
                staged[name] = folder.stage(name, data)
        for name in files:
            if folder.kind(name) == "file":
                backups[name] = f".{name}.{os.getpid()}.{len(backups)}.backup"
                folder.unlink(backups[name])
                folder.link(name, backups[name])
        for name, data in files.items():
            if data is None:
                folder.unlink(name)
            else:
                folder.replace(staged[name], name)
                del staged[name]
            done.append(name)
    except BaseException:
        for name in reversed(done):
            if name in backups:
                with contextlib.suppress(OSError):
                    folder.replace(backups.pop(name), name)
            else:
                folder.unlink(name)
        for tmp in staged.values():
            folder.unlink(tmp)
        for backup in backups.values():
            folder.unlink(backup)
        raise
    for backup in backups.values():
        folder.unlink(backup)
    folder.fsync()


def _dumps(data: Any) -> bytes:
    import json  # not at module level: the window opens a case before its first paint

    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


EARLIEST_STEP_YEAR = 2000  # no step taken against a botnet on a home line is older


def parse_step_time(value: str) -> tuple[datetime, bool]:
    """A recorded step's time: (when, date_only). A bare date means "some time that day".
    ValueError (with words a user can read) for anything else, including a year before 2000
    or so far out that converting it between zones would overflow."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        when = datetime.fromisoformat(value)
        date_only = False
    else:
        when = datetime(day.year, day.month, day.day)
        date_only = True
    if not EARLIEST_STEP_YEAR <= when.year <= 2999:
        raise ValueError(f"{value} is not a date between {EARLIEST_STEP_YEAR} and today")
    try:
        local = when.astimezone()  # naive: this PC's zone; aware: checks that it converts
    except (OverflowError, OSError):  # Windows' C library stops at the year 3000
        raise ValueError(f"{value} is not a date between {EARLIEST_STEP_YEAR} and today") from None
    return (local if when.tzinfo is None else when), date_only


def check_step(step: str, when: str, now: datetime | None = None) -> None:
    """Refuse, in the user's language, an unknown step or a bad or future time for it."""
    if step not in REMEDIATION_STEPS:
        raise CaseError(
            _("unknown step {step}; known: {known}").format(
                step=repr(step), known=", ".join(REMEDIATION_STEPS)
            )
        )
    try:
        at, date_only = parse_step_time(when)
    except ValueError as exc:
        if "between" in str(exc):
            raise CaseError(
                _("{when} is not a date between {earliest} and today").format(
                    when=when, earliest=EARLIEST_STEP_YEAR
                )
            ) from None
        raise CaseError(
            _("{when} is not a date (YYYY-MM-DD) or ISO date-time").format(when=repr(when))
        ) from None
    now = now or datetime.now().astimezone()
    if (at.date() if date_only else at) > (now.date() if date_only else now):
        raise CaseError(_("{when} is in the future").format(when=when))


# Damaged and State are plain classes, not dataclasses: the window opens its case before its
# first paint, and importing dataclasses and making these classes with it cost ~2 ms there.
class Damaged(NamedTuple):
    name: str
    reason: str


class State:
    """Everything in a case's JSON files, as read (or as it will be written)."""

    __slots__ = (
        "capture",
        "details",
        "edited",
        "history",
        "journal",
        "notice",
        "notice_text",
        "remediation",
        "results",
    )

    def __init__(
        self,
        *,
        results: dict[str, dict] | None = None,
        history: list[dict] | None = None,
        details: dict[str, str] | None = None,
        remediation: dict[str, str] | None = None,
        notice: dict | None = None,
        capture: dict | None = None,
        journal: dict | None = None,
        notice_text: str | None = None,
        edited: dict[str, str | None] | None = None,
    ) -> None:
        self.results = {} if results is None else results
        self.history = [] if history is None else history
        self.details = {} if details is None else details
        self.remediation = {} if remediation is None else remediation
        self.notice = notice
        self.capture = capture
        self.journal = journal
        self.notice_text = notice_text
        self.edited = {} if edited is None else edited


class Update:
    """The changes one command makes to a case, applied together when its block ends."""

    def __init__(self, case: Case, state: State):
        self.case = case
        self.state = state
        self.changed: set[str] = set()

    def add_results(self, results: Iterable[Result]) -> None:
        """The newest result of a check replaces the older one; every result is also appended to
        the history (a later pass must not erase an earlier fail)."""
        for result in results:
            data = result.to_dict()
            self.state.history.append(data)
            self.state.results[result.id] = data
        self.changed |= {RESULTS_FILE, HISTORY_FILE}

    def set_details(self, **values: str | None) -> None:
        for key, value in values.items():
            if key not in DETAIL_FIELDS:
                raise CaseError(
                    _("unknown detail {key}; known: {known}").format(
                        key=repr(key), known=", ".join(DETAIL_FIELDS)
                    )
                )
            if value is None:
                continue
            value = value.strip()
            if len(value) > MAX_DETAIL_LENGTH or any(c in value for c in "\r\n\x00"):
                raise CaseError(
                    _("{key}: one line of at most {n} characters").format(
                        key=key, n=MAX_DETAIL_LENGTH
                    )
                )
            self.state.details[key] = value
        self.changed.add(DETAILS_FILE)

    def mark_done(self, step: str, when: str, now: datetime | None = None) -> None:
        """Record a remediation step at ``when`` (ISO date or date-time, not in the future)."""
        check_step(step, when, now)
        self.state.remediation[step] = when
        self.changed.add(REMEDIATION_FILE)

    def undo_step(self, step: str) -> None:
        self.state.remediation.pop(step, None)
        self.changed.add(REMEDIATION_FILE)

    def set_notice(self, document: dict, text: str | None = None) -> None:
        self.state.notice = document
        self.changed.add(NOTICE_FILE)
        if text is not None:
            self.state.notice_text = text
            self.changed.add(NOTICE_TEXT_FILE)

    def set_notice_text(self, text: str) -> None:
        self.state.notice_text = text
        self.changed.add(NOTICE_TEXT_FILE)

    def set_capture(self, document: dict) -> None:
        self.state.capture = document
        self.changed.add(CAPTURE_FILE)

    def set_journal(self, document: dict) -> None:
        self.state.journal = document
        self.changed.add(JOURNAL_FILE)

    def set_edited_letter(self, lang: str, text: str | None, base: str | None = None) -> None:
        """The user's own version of the letter (None: back to the generated one); ``base``:
        the generated text it was edited from."""
        import hashlib

        self.state.edited[lang] = text
        self.state.edited[f"{lang}.base"] = (
            hashlib.sha256(base.encode("utf-8")).hexdigest() if text is not None and base else None
        )
        self.changed |= {edited_letter_file(lang), edited_base_file(lang)}


class Case:
    """One case folder, reached by descriptor (cases/folder.py). Reading takes no lock: a
    read-only case (a read-only mount, write-protected media) can still give its letter and
    bundle."""

    def __init__(self, path: str | os.PathLike[str], create: bool = True):
        from cases.folder import Folder

        self.path = Path(path)
        self.folder = Folder(self.path, create=create and not _read_only(self.path))
        self.damaged: list[Damaged] = []
        # Parsed result files by their signature: a case of 50,000 results is read once, not
        # once per question asked of it (a bundle asks many).
        self._parsed: dict[str, tuple] = {}

    # --- reading --------------------------------------------------------------------------------
    def _read_bytes(self, name: str) -> bytes | None:
        from cases.folder import UnsafeFolder

        try:
            return self.folder.read(name)
        except UnsafeFolder as exc:
            self._note_damage(name, f"not a file ({exc.strerror})")
        except OSError:
            self._note_damage(name, "unreadable")
        return None

    def _read_json(self, name: str, default: Any, kind: type) -> Any:
        raw = self._read_bytes(name)
        if raw is None:
            return default
        import json

        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            self._note_damage(name, f"not valid JSON ({type(exc).__name__})")
            return default
        if not isinstance(data, kind):
            self._note_damage(name, f"expected a JSON {kind.__name__}")
            return default
        return data

    def _note_damage(self, name: str, reason: str) -> None:
        if all(d.name != name for d in self.damaged):
            self.damaged.append(Damaged(name, reason))

    def _read_text(self, name: str) -> str | None:
        raw = self._read_bytes(name)
        return None if raw is None else raw.decode("utf-8", errors="replace")

    def _results_list(self, name: str) -> list[dict]:
        return list(self._parsed_results(name)[0])

    def _parsed_results(self, name: str) -> tuple[list[dict], list]:
        """(the valid result dicts, the same as Results) of a results file, parsed once for as
        long as the file stays the same."""
        from checks.model import Result

        signature = self.folder.signature(name)
        cached = self._parsed.get(name)
        if signature is not None and cached is not None and cached[0] == signature:
            for note in cached[3]:
                self._note_damage(name, note)
            return cached[1], cached[2]
        notes: list[str] = []
        before = len(self.damaged)
        data = self._read_json(name, {"results": []}, dict)
        notes += [d.reason for d in self.damaged[before:] if d.name == name]
        items = data.get("results")
        good: list[dict] = []
        parsed: list[Result] = []
        if not isinstance(items, list):
            notes.append("no list of results")
            items = []
        for item in items:
            if not isinstance(item, dict):
                continue
            try:
                parsed.append(Result.from_dict(item))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
            good.append(item)
        if len(good) != len(items):
            notes.append(f"{len(items) - len(good)} unreadable result(s) left out")
        for note in notes:
            self._note_damage(name, note)
        if signature is not None:
            self._parsed[name] = (signature, good, parsed, notes)
        return good, parsed

    def read_state(self) -> State:
        details = self._read_json(DETAILS_FILE, {}, dict)
        remediation = self._read_json(REMEDIATION_FILE, {}, dict)
        return State(
            results={r["id"]: r for r in self._results_list(RESULTS_FILE)},
            history=self._results_list(HISTORY_FILE),
            details={k: str(details.get(k) or "") for k in DETAIL_FIELDS},
            remediation={k: str(v) for k, v in remediation.items() if k in REMEDIATION_STEPS and v},
            notice=self._read_json(NOTICE_FILE, None, dict),
            capture=self._read_json(CAPTURE_FILE, None, dict),
            journal=self._read_json(JOURNAL_FILE, None, dict),
            notice_text=self._read_text(NOTICE_TEXT_FILE),
        )

    def meta(self) -> dict:
        return self._read_json(META_FILE, {"schema": 1}, dict)

    def results(self) -> list[Result]:
        return list(self._parsed_results(RESULTS_FILE)[1])

    def history(self) -> list[Result]:
        """Every result ever added, oldest first."""
        return list(self._parsed_results(HISTORY_FILE)[1])

    def details(self) -> dict[str, str]:
        stored = self._read_json(DETAILS_FILE, {}, dict)
        return {k: str(stored.get(k) or "") for k in DETAIL_FIELDS}

    def remediation(self) -> dict[str, str]:
        """step -> ISO date or date-time it was done."""
        stored = self._read_json(REMEDIATION_FILE, {}, dict)
        return {k: str(v) for k, v in stored.items() if k in REMEDIATION_STEPS and v}

    def notice(self) -> dict | None:
        return self._read_json(NOTICE_FILE, None, dict)

    def notice_text(self) -> str:
        return self._read_text(NOTICE_TEXT_FILE) or ""

    def capture(self) -> dict | None:
        return self._read_json(CAPTURE_FILE, None, dict)

    def journal(self) -> dict | None:
        return self._read_json(JOURNAL_FILE, None, dict)

    def edited_letter(self, lang: str) -> str | None:
        return self._read_text(edited_letter_file(lang))

    def edited_letter_base(self, lang: str) -> str | None:
        return (self._read_text(edited_base_file(lang)) or "").strip() or None

    def pcap_path(self) -> Path:
        return self.path / PCAP_FILE

    # --- writing --------------------------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        try:
            with self.folder.lock(LOCK_FILE, LOCK_TIMEOUT_S):
                yield
        except TimeoutError:
            raise CaseBusy(f"{self.path} is busy (another Clearline holds its lock)") from None

    @contextmanager
    def update(self) -> Iterator[Update]:
        """Read-modify-write under the lock; everything changed is written as one unit when the
        block ends without an exception, and nothing at all otherwise."""
        with self.lock():
            self.damaged = []
            change = Update(self, self.read_state())
            yield change
            if not change.changed:
                return
            files: dict[str, bytes | None] = {}
            state = change.state
            for name in sorted(change.changed):
                files[name] = self._serialise(name, state)
            files[META_FILE] = _dumps(self._meta())
            self._set_aside_damaged(set(files))
            commit(self.folder, files)

    def _meta(self) -> dict:
        known = self.folder.exists(META_FILE)
        meta = self._read_json(META_FILE, {}, dict) if known else {}
        return {
            "schema": SCHEMA_VERSION,
            "created": meta.get("created") or datetime.now().astimezone().isoformat(),
            "migrated_from": meta.get("migrated_from")
            or (1 if not known and self._has_data() else None),
        }

    def _has_data(self) -> bool:
        return any(self.folder.exists(n) for n in (RESULTS_FILE, DETAILS_FILE, NOTICE_FILE))

    def _serialise(self, name: str, state: State) -> bytes | None:
        now = datetime.now().astimezone().isoformat()
        if name == RESULTS_FILE:
            return _dumps({"updated": now, "results": list(state.results.values())})
        if name == HISTORY_FILE:
            return _dumps({"results": state.history})
        if name == DETAILS_FILE:
            return _dumps(state.details)
        if name == REMEDIATION_FILE:
            return _dumps(state.remediation)
        if name == NOTICE_FILE:
            return None if state.notice is None else _dumps(state.notice)
        if name == CAPTURE_FILE:
            return None if state.capture is None else _dumps(state.capture)
        if name == JOURNAL_FILE:
            return None if state.journal is None else _dumps(state.journal)
        if name == NOTICE_TEXT_FILE:
            return None if state.notice_text is None else state.notice_text.encode("utf-8")
        for lang, text in state.edited.items():
            if name == edited_letter_file(lang) or name == edited_base_file(
                lang.removesuffix(".base")
            ):
                return None if text is None else text.encode("utf-8")
        raise KeyError(name)

    def _set_aside_damaged(self, writing: set[str]) -> None:
        """Damaged files are kept under a new name; a folder, a link or a FIFO in a file's place
        is left alone (an update that would write it refuses to go on)."""
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        for item in self.damaged:
            if self.folder.kind(item.name) != "file":
                continue
            target = f"{item.name}.damaged-{stamp}"
            n = 1
            while self.folder.exists(target):
                n += 1
                target = f"{item.name}.damaged-{stamp}-{n}"
            self.folder.replace(item.name, target)

    def clean_partials(self) -> list[str]:
        """Temporary files left by a process that was killed while writing. Taken under the lock:
        every writer stages its files while holding it, so none is in flight now."""
        removed: list[str] = []
        if not self.path.is_dir() or _read_only(self.path):
            return removed  # a read-only case holds nothing to clean, and cannot be locked
        with self.lock():
            for name in self.folder.names():
                if name.startswith(".") and name.endswith((".partial", ".backup")):
                    self.folder.unlink(name)
                    removed.append(name)
        return removed

    # --- one-call conveniences -----------------------------------------------------------------
    def add_results(self, results: Iterable[Result]) -> None:
        with self.update() as u:
            u.add_results(results)

    def set_details(self, **values: str | None) -> None:
        with self.update() as u:
            u.set_details(**values)

    def mark_done(self, step: str, when: str) -> None:
        with self.update() as u:
            u.mark_done(step, when)

    def write_json(self, name: str, data: Any) -> Path:
        """For the few files outside the state (tests, tools)."""
        with self.lock():
            commit(self.folder, {name: _dumps(data)})
        return self.path / name

    def read_json(self, name: str, default: Any = None) -> Any:
        return self._read_json(name, default, object)


def _read_only(path: Path) -> bool:
    """A case on a read-only mount or write-protected media (or a folder we may not write)."""
    return path.is_dir() and not os.access(path, os.W_OK)
