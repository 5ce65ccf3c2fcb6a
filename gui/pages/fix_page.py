"""Step 4 — Fix what we found: the remediation steps, most effective first, each with a button
that opens the right place and a "done" tick whose date goes into the case (and the letter)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QPushButton, QWidget

from cases.store import REMEDIATION_STEPS
from checks.i18n import _
from checks.model import Status
from gui.pages.base import Page


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


def open_target(step: str) -> str | None:
    """Where the "Open" button of a step leads on this platform."""
    if sys.platform == "win32":
        return {
            "updates": "ms-settings:windowsupdate",
            "scan": "windowsdefender://threat/",
            "disconnect": "ms-settings:network-status",
        }.get(step)
    if sys.platform == "darwin":
        return {
            "updates": "x-apple.systempreferences:com.apple.Software-Update-Settings.extension",
            "disconnect": "x-apple.systempreferences:com.apple.Network-Settings.extension",
        }.get(step)
    if step == "router":
        gateway = default_gateway()
        return f"http://{gateway}/" if gateway else None
    return None


class FixPage(Page):
    def __init__(self, session, window):
        super().__init__(session, window)
        self.intro = self.paragraph()
        self.grid_box = QWidget()
        self.grid = QGridLayout(self.grid_box)
        self.layout_.addWidget(self.grid_box)
        self.recheck = QPushButton()
        self.layout_.addWidget(self.recheck)
        self.layout_.addStretch(1)
        self.rows: dict[str, tuple[QLabel, QPushButton, QCheckBox]] = {}
        for i, step in enumerate(REMEDIATION_STEPS):
            label, button, tick = QLabel(), QPushButton(), QCheckBox()
            label.setWordWrap(True)
            target = open_target(step)
            if step == "router" and target is None and sys.platform == "win32":
                target = None
            button.setEnabled(target is not None)
            button.clicked.connect(
                lambda _c=False, t=target: t and QDesktopServices.openUrl(QUrl(t))
            )
            tick.toggled.connect(lambda on, s=step: self._done(s, on))
            self.grid.addWidget(label, i, 0)
            self.grid.addWidget(button, i, 1)
            self.grid.addWidget(tick, i, 2)
            self.rows[step] = (label, button, tick)
        self.grid.setColumnStretch(0, 1)
        self.recheck.clicked.connect(lambda: self.window_.go(2, run=True))
        session.results_changed.connect(self.refresh)
        session.saved.connect(lambda _what: self.refresh())
        self.retranslate(refresh=False)
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

    def retranslate(self, refresh: bool = True) -> None:
        self.heading.setText(_("4. Fix what we found"))
        self.intro.setText(
            _(
                "Most effective first. Tick each step when it is done: the date goes into your reply."
            )
        )
        self.recheck.setText(_("Re-check this PC"))
        texts = self.texts()
        for step, (label, button, tick) in self.rows.items():
            label.setText(texts[step])
            button.setText(_("Open"))
            button.setAccessibleName(_("Open the place for: {step}").format(step=texts[step]))
            tick.setAccessibleName(_("Done: {step}").format(step=texts[step]))
        if refresh:
            self.refresh()

    def refresh(self) -> None:
        done = self.session.case.remediation()
        infected = any(
            r.status == Status.FAIL
            for r in self.session.case.history()
            if r.id
            in ("SMTP-OUT", "PROXY-OPEN", "SMTP-LISTEN", "TRAFFIC-SMTP", "TRAFFIC-MX", "AV-STATUS")
        )
        for step, (label, button, tick) in self.rows.items():
            visible = infected or step not in ("disconnect", "removal", "reinstall")
            for w in (label, button, tick):
                w.setVisible(visible)
            tick.blockSignals(True)
            tick.setChecked(step in done)
            tick.setText(
                _("Done on {date}").format(date=done[step][:10]) if step in done else _("Done")
            )
            tick.blockSignals(False)

    def _done(self, step: str, on: bool) -> None:
        # Written by the session's background writer; the tick shows at once.
        if on:
            self.session.mark_done(step)
        else:
            self.session.undo_step(step)
