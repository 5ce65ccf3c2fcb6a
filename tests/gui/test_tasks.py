"""The window's work runs as tasks (gui/workers.py run_task): the case is read only on them,
never on the GUI thread, and the last window to close waits until every task has ended."""

import threading
import time
from functools import partial

from cases.store import Case
from checks.model import Result, Status
from gui import workers
from tests.gui.test_steps import injected_run


def test_the_pages_read_the_case_only_on_tasks(make_window, qtbot, monkeypatch):
    w = make_window(run_checks=injected_run)
    case = Case(w.session.case_path)
    case.add_results([Result("FW-STATUS", Status.FAIL, "off"), Result("SMTP-OUT", Status.PASS)])
    case.set_details(name="Hanako", provider="Example ISP")
    case.mark_done("updates", "2026-11-20T10:00:00+09:00")
    w.close()
    workers.finish_tasks()

    on_gui_thread: list[str] = []
    read = Case._read_bytes

    def watched(self, name):
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(name)
        return read(self, name)

    monkeypatch.setattr(Case, "_read_bytes", watched)
    w2 = make_window(run_checks=injected_run)
    qtbot.waitUntil(lambda: w2.pages[4].fields["name"].text() == "Hanako", timeout=5000)
    for step in range(1, 6):
        w2.go(step)
        qtbot.wait(30)
    w2.set_language("en")
    w2.session.results_changed.emit()  # as a check that just saved its result
    qtbot.waitUntil(lambda: not w2.pages[3].reading, timeout=5000)
    qtbot.wait(100)
    assert w2.pages[3].state[0].keys() == {"updates"}  # the fixes did arrive, from a task
    assert on_gui_thread == []


def test_the_last_window_waits_for_its_tasks_and_asks_them_to_stop(make_window, qtbot, tmp_path):
    w = make_window(run_checks=injected_run)
    written = tmp_path / "written"
    started = threading.Event()

    def slow_write(*, progress, cancel):
        started.set()
        cancel.wait(5)  # asked to stop at close: it finishes its write, then ends
        time.sleep(0.2)
        written.write_text("done")
        return cancel.is_set()

    stopped = []
    workers.run_task(slow_write, on_result=lambda v: stopped.append(v))
    assert started.wait(5)
    assert workers.running() >= 1
    w.close()
    assert workers.running() == 0
    assert written.read_text() == "done"
    qtbot.waitUntil(lambda: stopped == [True], timeout=2000)


def test_a_window_replaced_by_a_new_case_leaves_the_tasks_running(make_window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    w = make_window(run_checks=injected_run)
    release = threading.Event()
    cancelled = []

    def waits(*, progress, cancel):
        release.wait(5)
        cancelled.append(cancel.is_set())

    task = workers.run_task(waits)
    successor = w.new_case()
    qtbot.addWidget(successor)
    assert not task.cancel.is_set()
    release.set()
    qtbot.waitUntil(lambda: cancelled == [False], timeout=5000)


def test_a_result_for_a_page_that_is_gone_is_not_delivered(qtbot):
    """A task is held until its signals are delivered: its result may come after its page was
    deleted (a window closed, a new case). Touching the page's widgets then raised "C++ object
    already deleted" (seen under Wine in the walk-through); the slot is skipped instead."""
    from PySide6.QtWidgets import QLabel, QWidget

    class Page(QWidget):
        def __init__(self):
            super().__init__()
            self.label = QLabel(self)

        def show_it(self, text):
            self.label.setText(text)

    page = Page()
    release = threading.Event()

    def later(*, progress, cancel):
        release.wait(5)
        return "late"

    # Through a partial, as the window hands a path along: Qt cannot see whose slot it is, so
    # only the task's own check keeps it from running on a deleted page.
    task = workers.run_task(later, on_result=partial(page.show_it))
    page.deleteLater()
    qtbot.wait(20)  # the page and its label are gone now
    release.set()
    qtbot.waitUntil(lambda: task.done.is_set(), timeout=5000)
    qtbot.wait(50)  # the result is delivered, and nothing raises in the event loop
