"""Step 4 — Fix what we found: first the findings (one item per problem, most important first,
each with what fixes it on this system, a button to the right place and a way to check again),
then the remediation steps, each with a "done" tick whose date goes into the case (and the
letter). A button that cannot work here says why instead of staying grey."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cases.store import REMEDIATION_STEPS
from checks import catalogue
from checks.i18n import _
from checks.model import Result
from gui import workers
from gui.cards import COLOURS
from gui.pages.base import Page
from reports.console import status_label


def default_gateway() -> str | None:
    """The router's address from the routing table (Linux); None elsewhere or when unknown."""
    try:
        with open("/proc/net/route") as fp:
            for line in fp.readlines()[1:]:
                parts = line.split()
                if len(parts) > 2 and parts[1] == "00000000":
                    raw = bytes.fromhex(parts[2])[::-1]
                    return ".".join(str(b) for b in raw)
    except OSError:
        return None
    return None


# Steps done by the user's own hands: no place to open on any system, so no button.
NO_BUTTON = ("removal", "reinstall", "password")


def open_target(step: str, platform: str | None = None) -> str | None:
    """Where the "Open" button of a step leads on this platform."""
    platform = platform or sys.platform
    if step == "router":
        gateway = default_gateway() if platform.startswith("linux") else None
        return f"http://{gateway}/" if gateway else None
    if platform == "win32":
        return {
            "updates": "ms-settings:windowsupdate",
            "scan": "windowsdefender://threat/",
            "firewall": "windowsdefender://network/",
            "disconnect": "ms-settings:network-status",
        }.get(step)
    if platform == "darwin":
        return {
            "updates": "x-apple.systempreferences:com.apple.Software-Update-Settings.extension",
            "firewall": "x-apple.systempreferences:com.apple.Network-Settings.extension",
            "disconnect": "x-apple.systempreferences:com.apple.Network-Settings.extension",
        }.get(step)
    return None


def why_no_button(step: str) -> str:
    """What to do instead, when there is no place to open on this system."""
    return {
        "updates": _("No settings page to open here: use your system's update tool."),
        "scan": _("No settings page to open here: start a full scan in your antivirus program."),
        "firewall": _("No settings page to open here: use your system's firewall settings."),
        "disconnect": _("Unplug the network cable, or switch Wi-Fi off in the system menu."),
        "router": _(
            "The router's address could not be found: it is printed on a label on the router."
        ),
    }.get(step, "")


class FixPage(Page):
    def __init__(self, session, window):
        super().__init__(session, window)
        self.found_heading = self.paragraph()
        self.found_heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.found_box = QWidget()
        self.found = QVBoxLayout(self.found_box)
        self.found.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.found_box)
        # Who in the household may have sent it, most likely first, and what to do for each.
        self.suspects_heading = self.paragraph()
        self.suspects_heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.suspects = self.paragraph()
        self.suspects_heading.setVisible(False)
        self.suspects.setVisible(False)
        self._ranked: tuple = ()  # the last ranking from the guidance worker (codes)
        self.items: list[FindingItem] = []
        self.intro = self.paragraph()
        self.grid_box = QWidget()
        self.grid = QGridLayout(self.grid_box)
        self.layout_.addWidget(self.grid_box)
        self.recheck = QPushButton()
        self.layout_.addWidget(self.recheck)
        from gui.journal_box import JournalBox

        self.journal = JournalBox(window)
        self.layout_.addWidget(self.journal)
        self.layout_.addStretch(1)
        self.rows: dict[str, tuple[QLabel, QPushButton, QCheckBox]] = {}
        self.why: dict[str, QLabel] = {}
        for i, step in enumerate(REMEDIATION_STEPS):
            label, button, tick = QLabel(), QPushButton(), QCheckBox()
            label.setWordWrap(True)
            why = QLabel()
            why.setWordWrap(True)
            why.setStyleSheet("color: #57606a;")
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.addWidget(label)
            cell_layout.addWidget(why)
            target = open_target(step)
            button.setEnabled(target is not None)
            button.clicked.connect(lambda _c=False, s=step: self.open_place(s))
            tick.toggled.connect(lambda on, s=step: self._done(s, on))
            self.grid.addWidget(cell, i, 0)
            self.grid.addWidget(button, i, 1)
            self.grid.addWidget(tick, i, 2)
            self.rows[step] = (label, button, tick)
            self.why[step] = why
        self.grid.setColumnStretch(0, 1)
        self.recheck.clicked.connect(lambda: self.window_.go(2, run=True))
        session.results_changed.connect(self.refresh)
        session.saved.connect(self._case_saved)
        # What the case says of the fixes, read on a worker (refresh) and shown from here.
        self.state: tuple[dict[str, str], bool, bool] = ({}, False, False)
        self._blocked: dict[str, str] = {}  # steps that cannot be ticked yet, and why
        self._reader = workers.Serial(
            self, workers.fix_state, lambda: (str(self.session.case_path),), self._state_read
        )
        self.retranslate(refresh=False)
        # Until the case is read, the rows stand as for a case with nothing done (no button a
        # step done by hand does not have): the read only changes what it finds.
        self.show_state()
        QTimer.singleShot(0, self.refresh)  # reads the case history: after the first paint

    def texts(self) -> dict[str, str]:
        return {
            "disconnect": _(
                "Disconnect this PC from the internet (cable out or Wi-Fi off) until it is clean."
            ),
            "scan": _("Run a full virus scan and remove what it finds."),
            "removal": _("Remove the program Clearline found (the scan, or uninstall it)."),
            "reinstall": _("If it keeps coming back: back up your files and reinstall the system."),
            "updates": _("Install every update for the system and your programs."),
            "password": _("Change your mail password — from another device you trust."),
            "router": _(
                "Router: change its admin password, update its firmware, turn off remote management and UPnP if unused."
            ),
        }

    def open_place(self, step: str) -> None:
        target = open_target(step)
        if target is None or not QDesktopServices.openUrl(QUrl(target)):
            # Never a click that does nothing: say what happened and what to do instead.
            text = (
                _("{place} could not be opened: type it into your browser.").format(place=target)
                if target
                else why_no_button(step)
            )
            self.window_.statusBar().showMessage(text, 10000)
            if step in self.why:
                self.why[step].setText(text)
                self.why[step].setVisible(True)

    def fix_next(self) -> str | None:
        """The blue button on this page: open the place that fixes the most important finding
        not ticked yet (returns that place), and show it."""
        done = self.state[0]
        for item in self.items:
            if item.place not in done:
                self.open_place(item.place)
                self.ensure_visible(item)
                return item.place
        return None

    def show_findings(self, problems: list[Result]) -> None:
        """One item per finding, most important first (the order ``problems`` comes in)."""
        for item in self.items:
            item.hide()
            item.setParent(None)
            item.deleteLater()
        self.items = []
        for r in problems:
            item = FindingItem(r, self)
            self.found.addWidget(item)
            self.items.append(item)
        self.found_heading.setText(
            _("What we found") if problems else _("No problem was found that needs fixing here.")
        )

    def show_suspects(self, ranked: tuple) -> None:
        """The ranking from the guidance worker (cases.suspects codes), worded here."""
        self._ranked = ranked
        self._word_suspects()

    def _word_suspects(self) -> None:
        from reports import suspect_words

        colours = {"likely": "#b42318", "possible": "#9a6700", "unknown": "#57606a"}
        rows = []
        for line in suspect_words.lines(self._ranked):
            colour = colours.get(line.standing, "#1a7f37")
            todo = f"<br><i>{_esc(line.next)}</i>" if line.next else ""
            rows.append(
                f"<li><b>{_esc(line.name)}</b> — <span style='color:{colour}; font-weight:600'>"
                f"{_esc(line.standing_words)}</span><br>{_esc(' '.join(line.clues))}{todo}</li>"
            )
        self.suspects_heading.setText(_("Who may have sent it"))
        self.suspects.setText(f"<ol style='margin:0'>{''.join(rows)}</ol>")
        self.suspects_heading.setVisible(bool(rows))
        self.suspects.setVisible(bool(rows))

    def retranslate(self, refresh: bool = True) -> None:
        self.heading.setText(_("4. Fix what we found"))
        for item in self.items:
            item.reword()
        self.found_heading.setText(
            _("What we found") if self.items else _("No problem was found that needs fixing here.")
        )
        self.intro.setText(
            _(
                "What to do, most effective first. Tick each step when it is done: the date goes"
                " into your reply."
            )
        )
        self.recheck.setText(_("Re-check this PC"))
        if self._ranked:
            self._word_suspects()
        if hasattr(self, "journal"):
            self.journal.retranslate()
        texts = self.texts()
        for step, (label, button, tick) in self.rows.items():
            label.setText(texts[step])
            button.setText(_("Open"))
            button.setAccessibleName(_("Open the place for: {step}").format(step=texts[step]))
            tick.setAccessibleName(_("Done: {step}").format(step=texts[step]))
            reason = "" if button.isEnabled() else why_no_button(step)
            self.why[step].setText(reason)
            self.why[step].setVisible(bool(reason))
        # The tick column is as wide as its widest text ("Done on <date>") from the start: ticking
        # a box never moves the columns under the pointer.
        tick = next(iter(self.rows.values()))[2]
        widest = max(
            tick.fontMetrics().horizontalAdvance(t)
            # The longest day there is: September has the longest English month name.
            for t in (_("Done"), _("Done on {date}").format(date=_day("2026-09-30T12:00:00+00:00")))
        )
        self.grid.setColumnMinimumWidth(2, widest + 40)
        if refresh:
            self.show_state()

    def _case_saved(self, _what: str) -> None:
        # A bound method, not a lambda: Qt drops the connection when this page is deleted.
        self.refresh()

    def refresh(self) -> None:
        """Read the fixes and the history on a worker; one read at a time (a request while one
        runs is done once after it)."""
        self._reader.request()

    @property
    def reading(self) -> bool:
        """A read of the case is running or asked for."""
        return self._reader.busy

    def _state_read(self, state) -> None:
        self.state = state
        self.show_state()

    def show_state(self) -> None:
        done, infected, no_scanner = self.state
        # A scan ticked while no antivirus is on names no scanner and no result: the letter
        # would say "ran a full scan" beside "no antivirus is switched on" (issue 32).
        blocked = {"scan": why_scan_blocked()} if no_scanner and "scan" not in done else {}
        for step, text in self._blocked.items():
            if step not in blocked and self.why[step].text() == text:
                self.why[step].setText("")
        self._blocked = blocked
        for step, text in blocked.items():
            self.why[step].setText(text)
        for step, (label, button, tick) in self.rows.items():
            tick.setEnabled(step not in blocked)
            visible = infected or step not in ("disconnect", "removal", "reinstall")
            for w in (label, button, tick):
                w.setVisible(visible)
            button.setVisible(visible and step not in NO_BUTTON and button.isEnabled())
            self.why[step].setVisible(visible and bool(self.why[step].text()))
            tick.blockSignals(True)
            tick.setChecked(step in done)
            tick.setText(
                _("Done on {date}").format(date=_day(done[step])) if step in done else _("Done")
            )
            tick.blockSignals(False)

    def _done(self, step: str, on: bool) -> None:
        # Written by the session's background writer; the tick shows at once.
        if on:
            self.session.mark_done(step)
        else:
            self.session.undo_step(step)


def why_scan_blocked() -> str:
    if sys.platform == "win32":
        return _(
            "When Clearline last looked, no antivirus program was switched on. Switch one on"
            " (Windows Security is part of Windows), run a full scan, then check this PC again:"
            " the letter then names the program that scanned."
        )
    return _(
        "When Clearline last looked, no antivirus program was installed. Install one (ClamAV,"
        " for example), run a full scan, then check this PC again: the letter then names the"
        " program that scanned."
    )


class FindingItem(QFrame):
    """One finding in step 4: what was seen, what fixes it here, the place to open, re-check."""

    def __init__(self, result: Result, page: FixPage):
        super().__init__()
        self.result = result
        self.page = page
        fg, bg, _symbol = COLOURS[result.status]
        self.setObjectName("finding")
        self.setStyleSheet(
            f"#finding {{ background: {bg}; border: 1px solid #d0d7de;"
            f" border-left: 6px solid {fg}; border-radius: 6px; }}"
        )
        layout = QVBoxLayout(self)
        self.head = QLabel()
        self.head.setWordWrap(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setStyleSheet("color: #57606a;")
        buttons = QHBoxLayout()
        self.open_button = QPushButton()
        self.recheck_button = QPushButton()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.recheck_button)
        buttons.addStretch(1)
        for w in (self.head, self.text, self.why):
            layout.addWidget(w)
        layout.addLayout(buttons)
        self.place = catalogue.fix_place(result.id)
        self.open_button.setEnabled(open_target(self.place) is not None)
        self.open_button.clicked.connect(lambda: page.open_place(self.place))
        on_line = result.id.startswith("TRAFFIC-")
        self.recheck_button.clicked.connect(
            lambda: page.window_.go(3) if on_line else page.window_.go(2, run=True)
        )
        self.reword()

    def reword(self) -> None:
        fg, _bg, symbol = COLOURS[self.result.status]
        words = self.result.words()
        self.head.setText(
            f"<span style='color:{fg}; font-weight:600'>{symbol} "
            f"{status_label(self.result.status)}</span>&nbsp;&nbsp;<b>{_esc(words.title)}</b>"
        )
        action = words.advice[0] if words.advice else ""
        fixes = _("What fixes it:")
        self.text.setText(
            _esc(words.summary) + (f"<br><b>{_esc(fixes)}</b> {_esc(action)}" if action else "")
        )
        self.open_button.setText(_("Open the settings"))
        self.recheck_button.setText(
            _("Watch the line again") if self.result.id.startswith("TRAFFIC-") else _("Check again")
        )
        # No greyed button that does nothing: where nothing can be opened, the words say what
        # to do instead.
        reason = "" if self.open_button.isEnabled() else why_no_button(self.place)
        self.open_button.setVisible(not reason)
        self.why.setText(reason)
        self.why.setVisible(bool(reason))
        self.open_button.setAccessibleName(
            _("Open the settings for: {title}").format(title=words.title)
        )
        self.recheck_button.setAccessibleName(_("Check again: {title}").format(title=words.title))
        self.setAccessibleName(
            f"{status_label(self.result.status)}: {words.title}. {words.summary}"
        )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _day(when: str) -> str:
    """A recorded step's day in the window's language (「2026/11/21」, "21 Nov 2026"), not the
    ISO form it is stored in; the short form, because the tick column is as wide as its widest
    text (the long one made step 4 scroll sideways at the smallest window)."""
    from datetime import datetime

    from checks import dates, i18n

    try:
        moment = datetime.fromisoformat(when)  # a bare date ("2026-11-21") is a step's day too
    except ValueError:
        return when[:10]
    return dates.date_short(moment, i18n.get_language())
