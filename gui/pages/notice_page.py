"""Step 1 — What happened: what such a warning means, the provider's notice, network switch."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
)

from checks.i18n import _
from gui.pages.base import Page

if TYPE_CHECKING:
    from checks.model import Result


class NoticePage(Page):
    def __init__(self, session, window):
        super().__init__(session, window)
        self.intro = self.paragraph()
        self.paste_label = QLabel()
        self.paste_label.setWordWrap(True)
        self.layout_.addWidget(self.paste_label)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)  # Tab moves on: keyboard users are not trapped
        self.text.setMinimumHeight(160)
        # What the case holds (the notice text, its analysis) arrives through restore(), read
        # on a worker right after the window's first paint.
        self.layout_.addWidget(self.text)
        row = QHBoxLayout()
        self.open_button = QPushButton()
        self.analyse_button = QPushButton()
        self.ip_label = QLabel()
        self.ip = QLineEdit(session.public_ip)
        self.ip.setMaximumWidth(220)
        # Two rows: on one, the Japanese label and the field made the page wider than the window.
        for w in (self.open_button, self.analyse_button):
            row.addWidget(w)
        row.addStretch(1)
        self.layout_.addLayout(row)
        ip_row = QHBoxLayout()
        for w in (self.ip_label, self.ip):
            ip_row.addWidget(w)
        ip_row.addStretch(1)
        self.layout_.addLayout(ip_row)
        self.result = self.paragraph()
        self.network = QCheckBox()
        self.network.setChecked(session.network)
        self.layout_.addWidget(self.network)
        self.network_note = self.paragraph()
        self.layout_.addStretch(1)
        self.open_button.clicked.connect(self.open_file)
        self.analyse_button.clicked.connect(self.analyse)
        self.network.toggled.connect(lambda on: setattr(self.session, "network", on))
        self.ip.textChanged.connect(lambda t: setattr(self.session, "public_ip", t.strip()))
        self.worker = None
        # (the notice's analysis, NOTICE-UPTIME): worded again on every language switch.
        self._analysis: tuple[dict | None, Result | None] = (None, None)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("1. What happened"))
        self.intro.setText(
            _(
                "Your provider says spam was sent from your internet line. Most people who get such a"
                " warning sent nothing knowingly: a program on a PC, another device at home, the"
                " router, a stolen mail password, or a forged sender address can be the cause."
                " Clearline checks this PC, watches the line, reads the provider's notice and helps"
                " you reply. <b>Nothing leaves this computer unless you say yes.</b>"
            )
        )
        self.paste_label.setText(
            _(
                "Paste the provider's notice or the spam sample (with its full headers) here, or open the file:"
            )
        )
        self.text.setAccessibleName(_("The provider's notice or spam sample"))
        self.open_button.setText(_("Open file…"))
        self.analyse_button.setText(_("Analyse"))
        self.analyse_button.setAccessibleName(_("Analyse the notice"))
        self.ip_label.setText(_("Your line's IP addresses (optional):"))
        self.ip.setAccessibleName(_("Your line's IP addresses"))
        self.ip.setPlaceholderText(_("IPv4 and IPv6, separated by commas"))
        # A checkbox's text never wraps: it stays short, and the paragraph below explains.
        self.network.setText(_("Allow network lookups"))
        self.network_note.setText(
            _(
                "Off by default. They look up this line's public address and the spam blocklists,"
                " ask the router, and ask the devices at home for their names, and so leave this"
                " computer; everything else runs on this computer only."
            )
        )
        self._word_analysis()

    def restore(self, text: str, notice: dict | None, uptime: Result | None) -> None:
        """What the case held when the window opened. Nothing the user has typed, opened or
        analysed since is replaced."""
        if text and not self.text.toPlainText():
            self.text.setPlainText(text)
        if self.worker is None:
            self.show_analysis(notice, uptime)

    def open_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # its first use costs; not before the window

        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Open the notice"),
            str(Path.home()),
            # Outlook's .msg files are not read (they are OLE documents): not offered.
            _("Mail and text files (*.eml *.txt);;All files (*)"),
        )
        if path:
            from checks import safefile
            from checks.notice import MAX_BYTES, decode_bytes

            try:
                data = safefile.read_regular(path, MAX_BYTES)[:MAX_BYTES]
            except OSError as exc:
                self.result.setText(
                    _("Cannot read {file}: {error}").format(file=path, error=exc.strerror or exc)
                )
                return
            self.text.setPlainText(decode_bytes(data)[0])
            self.analyse()

    def analyse(self) -> None:
        text = self.text.toPlainText()
        self.analyse_button.setEnabled(False)
        self.result.setText(_("Reading…"))
        from gui import workers

        # The notice flow saves the text, the analysis, NOTICE-SOURCE and NOTICE-UPTIME in one
        # update, on the worker thread.
        self.worker = workers.run_task(
            workers.analyse_notice,
            text.encode("utf-8"),
            self.session.public_ip or None,
            str(self.session.case_path),
            self.session.power_events,
            on_result=self._done,
            on_error=lambda e: self.result.setText(_("The notice could not be read.")),
            on_finished=lambda: self.analyse_button.setEnabled(True),
        )

    def _done(self, outcome) -> None:
        if not outcome.readable:
            self.session.save_notice_text(self.text.toPlainText())
            self.result.setText(_("Nothing usable could be read from the notice."))
            return
        self.session.notice_read()
        # As saved: the analysis without its results, and the NOTICE-UPTIME it produced.
        doc = {k: v for k, v in outcome.document.items() if k != "results"}
        uptime = next((r for r in outcome.results if r.id == "NOTICE-UPTIME"), None)
        self.show_analysis(doc, uptime)

    def show_analysis(self, doc: dict | None, uptime: Result | None) -> None:
        """The notice's analysis and whether this PC was on then (NOTICE-UPTIME)."""
        self._analysis = (doc, uptime)
        self._word_analysis()

    def _word_analysis(self) -> None:
        doc, uptime = self._analysis
        if not doc:
            self.result.setText("")
            return
        from checks.claim_doc import Claim
        from checks.notice import explanation_words, line_shown
        from reports.console import verdict_label

        claim = Claim.from_dict(doc.get("claim"))
        verdict, reference, reported, source = (
            _("Verdict"),
            _("Reference"),
            _("Reported times"),
            _("Source IP"),
        )
        explanation = explanation_words(
            str(doc.get("explanation_code") or ""),
            doc.get("deciding_ip"),
            doc.get("deciding_hop") if isinstance(doc.get("deciding_hop"), dict) else None,
            line_shown(doc),
        ) or str(doc.get("explanation") or "")
        rows = [
            f"<b>{verdict}:</b> {verdict_label(doc.get('verdict'))}",
            _esc(explanation),
        ]
        if claim.reference:
            rows.append(f"<b>{reference}:</b> {_esc(claim.reference)}")
        for t in claim.notice_times:
            rows.append(f"<b>{reported}:</b> {_esc(t.text)}")
        if claim.source_ips:
            rows.append(f"<b>{source}:</b> {_esc(', '.join(claim.source_ips))}")
        if uptime is not None:
            # A question needs no colon after it ("...reported times?:").
            title = uptime.title.rstrip()
            title = title if title.endswith(("?", "？", "か")) else f"{title}:"
            rows.append(f"<b>{_esc(title)}</b> {_esc(uptime.summary)}")
        self.result.setText("<br>".join(rows))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
