"""The window: a numbered sidebar of five steps, so support staff on the phone can say "go to
step 3", plus what is always at hand: support summary, opening a bundle, language, About."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

# Dialogs, shortcuts and the letter preview are imported where they are used: each Qt class
# costs its first use, and none of them is needed for the first paint.
from checks import i18n
from checks.i18n import _, word
from gui.pages.notice_page import NoticePage
from gui.session import Session

VERSION = "0.1.0"


class MainWindow(QMainWindow):
    def __init__(self, session: Session, *, run_checks=None, capture_command=None):
        super().__init__()
        from gui import gc_guard

        gc_guard.install()
        self.session = session
        self.setMinimumSize(900, 600)
        self.resize(1180, _fitting_height(740))
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        side = QWidget()
        side.setObjectName("sidebar")
        side.setFixedWidth(270)
        # Its background and right border: two plain children under everything else in it,
        # outside its layout, as tall as a widget can be (cut to the sidebar's height). Not a
        # style sheet, which would restyle every control in the sidebar (~1.5 ms before the
        # first paint), nor its palette, which its controls would inherit.
        _filled(QWidget(side), "#f6f8fa").setGeometry(0, 0, 269, 16777215)
        _filled(QWidget(side), "#d0d7de").setGeometry(269, 0, 1, 16777215)
        side_layout = QVBoxLayout(side)
        self.title = QLabel("Clearline")
        self.title.setStyleSheet("font-size: 20pt; font-weight: 700; padding: 6px;")
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.steps = QListWidget()
        self.steps.setStyleSheet(
            "QListWidget { font-size: 12pt; border: none; background: transparent; }"
            "QListWidget::item { padding: 10px 6px; }"
            "QListWidget::item:selected { background: #0969da; color: white; border-radius: 4px; }"
        )
        # Tall enough for the five steps: no scroll bar. (Qt's enum namespace is avoided on the
        # start-up path: its first use costs ~40 ms.)
        self.steps.setMinimumHeight(260)
        self.new_case_button = QPushButton()
        self.summary_button = QPushButton()
        self.open_bundle_button = QPushButton()
        self.language = QComboBox()
        for language in i18n.LANGUAGES:
            self.language.addItem(language.name, language.code)
        self.language.setCurrentIndex(i18n.CODES.index(i18n.get_language()))
        self.about_button = QPushButton()
        for w in (self.title, self.subtitle, self.steps):
            side_layout.addWidget(w)
        side_layout.addStretch(1)
        for w in (
            self.new_case_button,
            self.summary_button,
            self.open_bundle_button,
            self.language,
            self.about_button,
        ):
            side_layout.addWidget(w)
        self.stack = QStackedWidget()
        self._page_args = (run_checks, capture_command)
        # Step 1 is built now; steps 2-5 right after the window is on screen (or as soon as
        # anything asks for them), so the first paint does not wait for them.
        self._pages = [NoticePage(session, self)]
        self.stack.addWidget(self._pages[0])
        for _n in range(5):
            self.steps.addItem("")
        # Above the steps: what was found so far, in one sentence. Below: the one next action.
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("banner")
        self.next_hint = QLabel()
        self.next_hint.setWordWrap(True)
        self.next_button = QPushButton()
        self.next_button.setObjectName("next")
        self.next_button.setStyleSheet(
            "#next { background: #0969da; color: white; font-weight: 600; padding: 8px 18px;"
            " border-radius: 6px; } #next:focus { border: 2px solid #1f2328; }"
        )
        self.next_bar = next_bar = QWidget()
        next_bar.setObjectName("nextbar")
        next_bar.setStyleSheet("#nextbar { border-top: 1px solid #d0d7de; }")
        next_bar.setVisible(False)  # shown with its first words: never an empty button
        next_row = QHBoxLayout(next_bar)
        next_row.setContentsMargins(24, 8, 24, 10)
        next_row.addWidget(self.next_hint, 1)
        next_row.addWidget(self.next_button)
        right.addWidget(self.banner)
        right.addWidget(self.stack, 1)
        right.addWidget(next_bar)
        self._next = None
        self._guidance = None  # a workers.Serial, made when first asked (after the first paint)
        # First computed once steps 2-5 exist (after the first paint): nothing to import before.
        self._guidance_ready = False
        self.banner.setVisible(False)
        self._set_banner_style("")
        row.addWidget(side)
        row.addLayout(right, 1)
        self.setCentralWidget(central)
        # Made now, not on the first message: a status bar that appears later takes its height
        # from the page and everything the user is looking at jumps up by a line.
        self.statusBar().setSizeGripEnabled(False)
        self.steps.currentRowChanged.connect(self._show_step)
        self.steps.setCurrentRow(0)
        self.new_case_button.clicked.connect(self.new_case)
        self.summary_button.clicked.connect(self.copy_summary)
        self.open_bundle_button.clicked.connect(self.open_bundle)
        self.about_button.clicked.connect(self.about)
        self.language.currentIndexChanged.connect(
            lambda _i: self.set_language(self.language.currentData())
        )
        self.next_button.clicked.connect(self.follow_next)
        session.results_changed.connect(self.refresh_guidance)
        session.notice_changed.connect(self.refresh_guidance)
        session.saved.connect(self._case_saved)
        self.retranslate()
        # The case is read right after the first paint, on a worker: step 1's notice and its
        # analysis, and the names of any damaged files, arrive a moment after the window.
        self._case_read = False
        QTimer.singleShot(100, self._build_rest)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._case_read:
            QTimer.singleShot(0, self.read_case)

    def read_case(self) -> None:
        """Read what the window shows of the case when it opens (once; off the GUI thread)."""
        if self._case_read:
            return
        self._case_read = True
        from gui import workers

        self._case_worker = workers.run_task(
            workers.open_case, str(self.session.case_path), on_result=self._case_opened
        )

    def reread_notice(self) -> None:
        """Step 1 shows the notice as the case now reads it (the audit reads it again when
        NET-NAT tells something new about the line)."""
        from gui import workers

        self._notice_worker = workers.run_task(
            workers.open_case,
            str(self.session.case_path),
            on_result=self._notice_reread,
        )

    def _notice_reread(self, value) -> None:
        self._pages[0].restore(*value[:3])

    def _case_opened(self, value) -> None:
        text, notice, uptime, damaged = value
        self._pages[0].restore(text, notice, uptime)
        if damaged:
            # Damaged case files were set aside by name; say so rather than show empty steps.
            self.statusBar().showMessage(
                _("Some case files were damaged and are set aside: {names}.").format(
                    names=", ".join(damaged)
                ),
                0,
            )

    def _install_shortcuts(self) -> None:
        """Alt+1 … Alt+5: "go to step 3". After the first paint: key sequences make Qt build its
        whole enum namespace (~90 ms)."""
        from PySide6.QtGui import QAction, QKeySequence

        for n in range(1, 6):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Alt+{n}"))
            action.triggered.connect(lambda _c=False, k=n: self.go(k))
            self.addAction(action)

    @property
    def pages(self) -> list:
        self._build_rest()
        return self._pages

    def _build_rest(self) -> None:
        if len(self._pages) == 5:
            return
        self.read_case()  # a window not painted yet (never shown, or asked for a step at once)
        self._install_shortcuts()
        from gui.pages.checks_page import ChecksPage
        from gui.pages.fix_page import FixPage
        from gui.pages.reply_page import ReplyPage
        from gui.pages.watch_page import WatchPage

        run_checks, capture_command = self._page_args
        self._pages += [
            ChecksPage(self.session, self, **({"run_checks": run_checks} if run_checks else {})),
            WatchPage(
                self.session, self, **({"command": capture_command} if capture_command else {})
            ),
            FixPage(self.session, self),
            ReplyPage(self.session, self),
        ]
        for page in self._pages[1:]:
            self.stack.addWidget(page)
        from gui import qt_translations

        qt_translations.apply(i18n.get_language())  # Qt's dialogs: first needed after this
        self._guidance_ready = True
        self.refresh_guidance()
        # What the journal flags (an unknown program on port 25) is told here at once.
        self._alert_seq: int | None = None
        self._alert_worker = None
        self.alert_timer = QTimer(self)
        self.alert_timer.setInterval(10000)
        self.alert_timer.timeout.connect(self.check_alerts)
        self.alert_timer.start()
        self.check_alerts()

    def _show_step(self, row: int) -> None:
        if row > 0:
            self._build_rest()
        self.stack.setCurrentIndex(row)
        self.refresh_guidance()

    # guidance --------------------------------------------------------------------------------
    BANNER_COLOURS: ClassVar[
        dict[str, tuple[str, str]]
    ] = {  # text #1f2328 on these: contrast above 12:1
        "infected": ("#fdecea", "#b42318"),
        "suspicious": ("#fff6db", "#9a6700"),
        "account": ("#fff6db", "#9a6700"),
        "": ("#ddf4ff", "#0969da"),
    }

    def _set_banner_style(self, kind: str) -> None:
        bg, edge = self.BANNER_COLOURS.get(kind, self.BANNER_COLOURS[""])
        self.banner.setStyleSheet(
            f"#banner {{ background: {bg}; color: #1f2328; border-left: 6px solid {edge};"
            " padding: 8px 14px; font-size: 12pt; }"
        )

    def _case_saved(self, _what: str) -> None:
        # A bound method, not a lambda: Qt drops the connection when this window is deleted.
        self.refresh_guidance()

    def refresh_guidance(self) -> None:
        """Recompute the banner and the next action from the case, on a worker; one at a time
        (a request while one runs is done once after it)."""
        if not self._guidance_ready:
            return
        if self._guidance is None:
            from gui import workers

            self._guidance = workers.Serial(
                self,
                workers.guidance,
                lambda: (str(self.session.case_path), self.steps.currentRow() + 1),
                self._show_guidance,
            )
        self._guidance.request()

    def _show_guidance(self, value) -> None:
        banner, nxt, problems, kind, ranked = value
        self.banner.setText(banner)
        self.banner.setVisible(True)
        self.banner.setAccessibleName(_("Summary: {text}").format(text=banner))
        self._set_banner_style(kind if kind in self.BANNER_COLOURS else "")
        self._next = nxt
        self.next_button.setText(nxt.label)
        self.next_button.setAccessibleName(nxt.label)
        self.next_hint.setText(nxt.hint)
        self.next_bar.setVisible(True)
        if len(self._pages) == 5:
            self._pages[3].show_findings(problems)
            self._pages[3].show_suspects(ranked)

    def check_alerts(self) -> None:
        if self._alert_worker is not None:
            return
        from gui import workers

        self._alert_worker = workers.run_task(
            workers.journal_alerts,
            self._alert_seq,
            on_result=self._show_alerts,
            on_finished=lambda: setattr(self, "_alert_worker", None),
        )

    def _show_alerts(self, value) -> None:
        self._alert_seq, alerts = value
        if not alerts:
            return
        event = alerts[-1].get("event") or {}
        program = (event.get("program") or {}).get("name") or _("an unknown program")
        self.statusBar().setStyleSheet("QStatusBar { background: #fdecea; color: #1f2328; }")
        self.statusBar().showMessage(
            _(
                "The journal just saw {program} connect to a mail server ({remote}, port 25) at"
                " {time}. Go to step 2 and check this PC now."
            ).format(program=program, remote=event.get("remote") or "?", time=alerts[-1]["time"]),
            0,
        )

    def follow_next(self) -> None:
        """Do what the next-action button says: go to a step (starting its work when asked) or
        do this page's own action."""
        nxt = self._next
        if nxt is None:
            return
        if nxt.step:
            self.go(nxt.step, run=nxt.run)
            return
        page = self.pages[self.steps.currentRow()]
        action = {1: "analyse", 2: "start", 3: "start", 4: "fix_next", 5: "save_bundle"}.get(
            self.steps.currentRow() + 1
        )
        if action:
            getattr(page, action)()

    def go(self, step: int, run: bool = False) -> None:
        self.steps.setCurrentRow(step - 1)
        if run and step == 2:
            self.pages[1].start()

    def retranslate(self) -> None:
        self.setWindowTitle("Clearline")
        self.subtitle.setText(
            _("Your provider says spam came from your line. Let's find out why, step by step.")
        )
        names = [
            _("What happened"),
            _("Check this PC"),
            _("Watch the line"),
            _("Fix what we found"),
            _("Reply to your provider"),
        ]
        for i, name in enumerate(names):
            self.steps.item(i).setText(f"{i + 1}. {name}")
        self.steps.setAccessibleName(_("Steps"))
        self.new_case_button.setText(_("New case…"))
        self.new_case_button.setAccessibleName(_("Start a new case for a new notice"))
        self.summary_button.setText(_("Copy support summary"))
        self.open_bundle_button.setText(_("Open a bundle…"))
        self.about_button.setText(_("About Clearline"))
        self.language.setAccessibleName(_("Language"))
        for page in self._pages:
            page.retranslate()
        self.refresh_guidance()

    def set_language(self, lang: str) -> None:
        i18n.set_default_language(lang)
        settings = self.session.settings
        if settings is not None:
            settings.setValue("language", lang)
        from gui import qt_translations

        qt_translations.apply(lang)
        # Results hold codes and params: every page words them anew; nothing is run again.
        self.retranslate()

    def new_case(self) -> MainWindow | None:
        """A second notice is a second case: a fresh case folder beside this one (which stays
        as it is) in a fresh window at the same place; the restart opens the new one."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            _("New case"),
            _(
                "Start a new case for a new notice? This case stays saved in its folder:\n{path}"
            ).format(path=self.session.case_path),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        from gui.error_boundary import install_error_boundary
        from gui.session import Session, new_case

        self.session.writer.flush()
        session = Session(new_case(self.session.case_path.parent), self.session.settings)
        session.network = self.session.network
        run_checks, capture_command = self._page_args
        successor = MainWindow(session, run_checks=run_checks, capture_command=capture_command)
        successor.setGeometry(self.geometry())
        install_error_boundary(successor)
        successor.show()
        self.successor = successor  # held: this window object outlives its closing
        self.close()
        return successor

    def copy_summary(self) -> None:
        from gui import workers

        self._summary_worker = workers.run_task(
            workers.support_summary,
            str(self.session.case_path),
            i18n.get_language(),
            on_result=self._summary_ready,
        )

    def _summary_ready(self, lines: list[str]) -> None:
        QGuiApplication.clipboard().setText("\n".join(lines))
        self.statusBar().showMessage(
            _("Support summary copied: paste it to the person helping you."), 6000
        )

    def open_bundle(self) -> None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        # Where step 5 saves bundles (the home folder), not the program's folder.
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open a bundle"), str(Path.home()), "Zip (*.zip)"
        )
        if not path:
            return
        from checks import i18n
        from gui import workers

        self._bundle_worker = workers.run_task(
            workers.verify_bundle,
            path,
            i18n.get_language(),
            on_result=partial(self._bundle_checked, path),
        )

    def _bundle_checked(self, path: str, value) -> None:
        self.show_bundle(path, *value)

    def show_bundle(self, path: str, result, letter: str) -> None:
        from PySide6.QtWidgets import QMessageBox, QPlainTextEdit

        box = QMessageBox(self)
        box.setWindowTitle(_("Bundle"))
        state = (
            _(
                "The files in the bundle match the checksum list written when it was made. The"
                " list is inside the same zip, so this shows they were not damaged; it does not"
                " show who made them."
            )
            if result.ok
            else _("The bundle has been changed or damaged.")
        )
        problems = [
            _("{name}: {what}").format(name=kind, what=name)
            for kind, names in (
                (_("CHANGED"), result.changed),
                (_("MISSING"), result.missing),
                (_("EXTRA"), result.extra),
            )
            for name in names
        ]
        # What the reader found wrong, in the user's words (they were English only, issue 35).
        problems += [word(p) for p in result.problems]
        problems += [word(result.error)] if result.error else []
        box.setText(f"{path}\n\n{state}\n" + "\n".join(problems))
        view = QPlainTextEdit(letter)
        view.setReadOnly(True)
        box.layout().addWidget(view, box.layout().rowCount(), 0, 1, box.layout().columnCount())
        box.exec()

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            _("About Clearline"),
            _(
                "Clearline {version}\nA self-check assistant for people whose provider says spam was sent from their line.\nCase folder: {case}"
            ).format(version=VERSION, case=self.session.case_path),
        )

    def closeEvent(self, event) -> None:
        for page in self._pages:
            stop = getattr(page, "cancel", None) or getattr(page, "stop", None)
            if stop:
                stop()
            save = getattr(page, "_save_details", None)
            if save is not None and getattr(page, "pending", None):
                save()
        # What was typed is on disk before the window goes (a short wait, at close only).
        try:
            self.session.writer.flush()
        except Exception:
            pass
        if getattr(self, "successor", None) is None:
            # The last window: asked to stop, every task ends before the program does, so none
            # is cut off in the middle of a write to the case (bounded: a hung probe is left).
            from gui import workers

            workers.finish_tasks()
        super().closeEvent(event)


def _filled(widget: QWidget, colour: str) -> QWidget:
    from PySide6.QtGui import QColor, QPalette

    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(colour))
    widget.setPalette(palette)
    widget.setAutoFillBackground(True)
    return widget


def _fitting_height(wanted: int) -> int:
    """A 1920x1080 screen at 150% is 1280x720, less the taskbar: the window opens no taller than
    the screen's free height (with room for the title bar), so the next button is on screen."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    return max(600, min(wanted, screen.availableGeometry().height() - 48))


def make_settings() -> QSettings:
    return QSettings("Clearline", "Clearline")


__all__ = ["MainWindow", "make_settings"]
