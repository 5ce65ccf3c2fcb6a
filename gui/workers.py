"""Background work for the window. Every worker's signals always fire: ``result`` or ``error``,
then ``finished`` — whatever happens — so the GUI never waits for a signal that will not come.
Workers never touch widgets; slots on the GUI thread do."""

from __future__ import annotations

import contextvars
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from checks import errors


class WorkerSignals(QObject):
    result = Signal(object)
    error = Signal(str)
    progress = Signal(object)  # partial results (e.g. one check Result)
    finished = Signal()


class Worker(QRunnable):
    """Run ``fn(*args, progress=emit, cancel=event)`` on the thread pool."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = WorkerSignals()
        self.cancel = threading.Event()
        self.context = contextvars.copy_context()  # the language of whoever started it
        self.done = threading.Event()  # its function has returned (set on its own thread)
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            value = self.context.run(
                self.fn,
                *self.args,
                progress=self.signals.progress.emit,
                cancel=self.cancel,
                **self.kwargs,
            )
        except BaseException as exc:
            # The first line is shown to the user, in the language of whoever started the work.
            first = self.context.run(errors.describe_unexpected, exc)
            self.signals.error.emit(f"{first}\n{traceback.format_exc()}")
        else:
            self.signals.result.emit(value)
        finally:
            self.done.set()
            self.signals.finished.emit()


# Workers held until their last signal has been delivered on the GUI thread: a window or page
# that goes first cannot take a running worker's signals with it, and a worker nobody else holds
# is not collected while its result still waits in the event queue (it would never fire).
# (Keyed by id: the release holds no reference to the worker it releases.)
_RUNNING: dict[int, Worker] = {}


def start(worker: Worker) -> Worker:
    key = id(worker)
    _RUNNING[key] = worker
    worker.signals.finished.connect(lambda: _RUNNING.pop(key, None))
    QThreadPool.globalInstance().start(worker)
    return worker


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    on_finished: Callable[[], None] | None = None,
) -> Worker:
    """Run ``fn(*args)`` off the GUI thread and call back on it (after Picard's run_task): the
    one way a page or the window starts work. Returns the worker (to cancel it)."""
    worker = Worker(fn, *args)
    for signal, slot in (
        (worker.signals.result, on_result),
        (worker.signals.error, on_error),
        (worker.signals.progress, on_progress),
        (worker.signals.finished, on_finished),
    ):
        if slot is not None:
            signal.connect(_while_alive(slot))
    return start(worker)


class Serial(QObject):
    """Work that runs one at a time, for a view that re-reads the case after every change (the
    guidance, step 4's fixes): a request while it runs is done once more after it, with the
    arguments of that moment. A child of the widget it serves, and gone with it."""

    def __init__(
        self,
        parent: QObject,
        fn: Callable[..., Any],
        args: Callable[[], tuple],
        on_result: Callable[[Any], None],
    ):
        super().__init__(parent)
        self.fn, self.args, self.on_result = fn, args, on_result
        self.worker: Worker | None = None
        self.again = False

    @property
    def busy(self) -> bool:
        """A run is under way or asked for."""
        return self.worker is not None or self.again

    def request(self) -> None:
        if self.worker is not None:
            self.again = True
            return
        self.worker = run_task(
            self.fn, *self.args(), on_result=self.on_result, on_finished=self._finished
        )

    def _finished(self) -> None:
        self.worker = None
        if self.again:
            self.again = False
            self.request()


def _while_alive(slot: Callable[..., Any]) -> Callable[..., Any]:
    """``slot``, called only while the widget it belongs to still exists: a task is held until
    its signals are delivered, so its result may arrive after its page was deleted (a window
    closed, a new case opened), when touching the page's widgets raises (seen under Wine)."""
    bound = getattr(slot, "func", slot)  # a functools.partial of a bound method counts too
    owner = getattr(bound, "__self__", None)
    if not isinstance(owner, QObject):
        return slot
    import shiboken6

    def call(*args: Any) -> None:
        if shiboken6.isValid(owner):
            slot(*args)

    return call


def running() -> int:
    """How many tasks are still at work."""
    return sum(not w.done.is_set() for w in list(_RUNNING.values()))


def finish_tasks(timeout_ms: int = 10_000) -> bool:
    """At close: ask every running task to stop, and wait (bounded) until they have, so that no
    thread is cut off in the middle of a write to the case when the program ends. True when
    none is left."""
    for worker in list(_RUNNING.values()):
        worker.cancel.set()
    QThreadPool.globalInstance().waitForDone(timeout_ms)
    return running() == 0


# --- the work itself: plain functions, no Qt ----------------------------------------------------


def run_checks(
    ids: list[str] | None,
    network: bool,
    watch: float = 0.0,
    case_path: str | None = None,
    public_ip: str | None = None,
    *,
    progress,
    cancel,
):
    """Run checks through the audit flow; each result is saved to the case on this worker
    thread (the disk write never touches the GUI thread), then handed to the window."""
    from app import flows
    from cases.store import Case
    from checks.context import Options

    case = Case(case_path) if case_path else None
    # The checks ask blocklists about one address: the first the user gave (the notice reader
    # takes them all).
    from checks.line_identity import split_given

    given = split_given(public_ip)
    options = Options(network=network, watch=watch, public_ip=given[0] if given else None)
    return flows.audit(case, ids, options, on_result=progress, cancel=cancel)


def analyse_notice(
    text: bytes,
    public_ip: str | None,
    case_path: str | None = None,
    power: dict | None = None,
    *,
    progress,
    cancel,
):
    """NOTICE-SOURCE and NOTICE-UPTIME through the notice flow, saved to the case here."""
    from app import flows
    from cases.store import Case
    from checks import i18n, notice

    case = Case(case_path) if case_path else None
    zone = notice.local_zone_for(i18n.get_language())
    return flows.read_notice(case, text, public_ip=public_ip, zone=zone, power=power)


def open_case(case_path: str, *, progress, cancel):
    """What the window shows of a case as it opens: (the notice text, the notice's analysis,
    NOTICE-UPTIME, the names of the damaged files). Every file is read, so that each damaged
    one is named."""
    from cases.store import Case

    case = Case(case_path)
    case.read_state()
    uptime = {r.id: r for r in case.results()}.get("NOTICE-UPTIME")
    return case.notice_text(), case.notice(), uptime, [d.name for d in case.damaged]


def saved_results(case_path: str, *, progress, cancel):
    """The newest result of each check the case holds."""
    from cases.store import Case

    return Case(case_path).results()


def fix_state(case_path: str, *, progress, cancel):
    """What step 4 shows of the case: (the fixes recorded done, step: time; whether any result in
    its history says this PC is infected; whether the last look found no antivirus on)."""
    from cases.store import Case
    from checks import catalogue
    from reports.viewmodel import scan_facts

    case = Case(case_path)
    history = case.history()
    infected = any(catalogue.shows_infection(r.id, r.status, r.reason) for r in history)
    return case.remediation(), infected, scan_facts(history)["no_scanner"]


def saved_details(case_path: str, *, progress, cancel):
    """The subscriber's details the case holds (name, contract, the provider's reference...)."""
    from cases.store import Case

    return Case(case_path).details()


def render_letter(case_path: str, lang: str, *, progress, cancel):
    from app import flows
    from cases.store import Case

    return flows.letter(Case(case_path), lang)


def write_bundle(
    case_path: str, lang: str, out: str, mask_paths: bool = False, *, progress, cancel
):
    from cases.store import Case
    from reports import bundle

    case = Case(case_path)
    # The file dialog already asked before replacing a file; a device, a folder or a path inside
    # the case is still refused.
    target = bundle.check_target(out, case, force=True)
    plan = bundle.plan(case, lang, mask_paths=mask_paths)
    return str(bundle.write(plan, target)), plan.warnings


def plan_bundle(case_path: str, lang: str, mask_paths: bool = False, *, progress, cancel):
    from cases.store import Case
    from reports import bundle

    plan = bundle.plan(Case(case_path), lang, mask_paths=mask_paths, with_pdf=False)
    return sorted([*plan.files, "report.pdf", bundle.SUMS]), plan.personal


def self_help_answers(case_path: str, lang: str, *, progress, cancel):
    from app import flows
    from cases.store import Case

    return flows.self_help_answers(Case(case_path), lang)


def support_summary(case_path: str, lang: str, *, progress, cancel):
    from app import flows
    from cases.store import Case

    return flows.support_summary(Case(case_path), lang)


def verify_bundle(path: str, lang: str = "en", *, progress, cancel):
    """The bundle's check, and its letter in the window's language (the other one when it has
    only that), shown only when its checksum matched: never a letter other than the one that
    was checked."""
    import zipfile

    from checks import i18n
    from reports import bundle

    result = bundle.verify(path)
    letter = ""
    order = [f"letter.{lang}.txt", *(f"letter.{c}.txt" for c in i18n.CODES if c != lang)]
    try:
        with zipfile.ZipFile(path) as zf:
            for name in order:
                if name in result.checked and name in zf.namelist():
                    letter = zf.read(name).decode("utf-8", "replace")
                    break
    except (OSError, zipfile.BadZipFile):
        pass
    return result, letter


def guidance(case_path: str, step: int, *, progress, cancel):
    """What the window says at the top and the one next action, from the case's assessment
    (reading the case and assessing it stays off the GUI thread)."""
    from cases import assessment, suspects
    from cases.store import Case
    from reports import guidance as g

    case = Case(case_path)
    results = case.results()
    has_notice = bool(case.notice())
    has_results = any(not r.id.startswith("NOTICE-") for r in results)
    a = assessment.assess(case)
    fixes_left = g.open_fixes(results, case.remediation())
    return (
        g.banner(a, has_notice, has_results),
        g.next_action(step, a, has_notice, has_results, fixes_left=fixes_left),
        g.problems(results),
        a.kind,
        suspects.rank(suspects.facts_of(a)),  # codes: the page words them in its language
    )


def journal_status(*, progress, cancel):
    """The journal's state for step 4: None when this machine keeps none."""
    import sqlite3

    from journal import paths, state
    from journal.store import JournalError

    db = paths.db_for_reading()
    if db is None:
        return None
    try:
        return state.status_doc(db)
    except (JournalError, OSError, sqlite3.DatabaseError) as exc:
        return {"db": str(db), "error": str(exc)}


def journal_alerts(after_seq: int | None, *, progress, cancel):
    """(newest seq, alerts after ``after_seq``): what the recorder flagged since the last look;
    the first look only learns where the journal stands."""
    import sqlite3

    from journal import coverage, paths
    from journal.store import ALERT, Journal, JournalError

    db = paths.db_for_reading()
    if db is None:
        return after_seq, []
    try:
        with Journal(db, readonly=True) as j:
            head = j.last()[0]
            if after_seq is None:
                return head, []
            alerts = [
                {"time": coverage.iso(r.ts_us), **r.data}
                for r in j.records(kinds=(ALERT,), after_seq=after_seq)
            ]
            return head, alerts
    except (JournalError, OSError, sqlite3.DatabaseError):
        return after_seq, []
