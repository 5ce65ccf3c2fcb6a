"""Step 5 — Reply to your provider: your details, the letter (Japanese or English, editable),
exactly what goes into the evidence bundle, then save, copy or open in the mail program."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
)

from cases.store import DETAIL_FIELDS
from checks import i18n
from checks.claim_doc import Claim
from checks.i18n import _
from gui import workers
from gui.pages.base import Page
from reports.vocabulary import DETAIL_LABELS


class ReplyPage(Page):
    def __init__(self, session, window):
        super().__init__(session, window)
        self.intro = self.paragraph()
        self.form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        for key in DETAIL_FIELDS:
            edit = QLineEdit()
            label = QLabel()
            edit.textEdited.connect(lambda _text, k=key: self._detail_edited(k))
            self.fields[key], self.labels[key] = edit, label
            self.form.addRow(label, edit)
        self.layout_.addLayout(self.form)
        # What the letter stands on, in a sentence or two (the assessment's uptime answer...).
        self.findings = self.paragraph()
        row = QHBoxLayout()
        # One button per letter language, each named in its own language.
        self.lang_buttons = {lang.code: QRadioButton(lang.name) for lang in i18n.LANGUAGES}
        group = QButtonGroup(self)
        for button in self.lang_buttons.values():
            group.addButton(button)
        self.lang_buttons[i18n.get_language()].setChecked(True)
        self.refresh_button = QPushButton()
        for w in (*self.lang_buttons.values(), self.refresh_button):
            row.addWidget(w)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.letter = QPlainTextEdit()
        self.letter.setTabChangesFocus(True)
        self.letter.setMinimumHeight(260)
        self.layout_.addWidget(self.letter)
        edit_row = QHBoxLayout()
        self.edited_note = QLabel()
        self.edited_note.setWordWrap(True)
        self.revert_button = QPushButton()
        self.revert_button.clicked.connect(self.revert)
        edit_row.addWidget(self.edited_note, 1)
        edit_row.addWidget(self.revert_button)
        self.layout_.addLayout(edit_row)
        self.generated = ""
        self.is_edited = self.is_stale = False
        self.contents_title = QLabel()
        self.layout_.addWidget(self.contents_title)
        self.contents = QLabel()
        self.contents.setWordWrap(True)
        self.layout_.addWidget(self.contents)
        # As the CLI's --mask-paths: the user name inside file paths becomes "<user>".
        self.mask_paths = QCheckBox()
        self.mask_paths.toggled.connect(lambda _on: (self.render(), self._bundle_outdated()))
        self.layout_.addWidget(self.mask_paths)
        buttons = QHBoxLayout()
        self.save_button, self.copy_button, self.mail_button = (
            QPushButton(),
            QPushButton(),
            QPushButton(),
        )
        # Two rows: the three on one made the page wider than the window in a wide font.
        for w in (self.save_button, self.copy_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)
        mail_row = QHBoxLayout()
        mail_row.addWidget(self.mail_button)
        mail_row.addStretch(1)
        self.layout_.addLayout(mail_row)
        # Many providers answer a notice through a web form that asks two things: what was
        # done, and what keeps it from happening again. The answers, ready to paste. A row of
        # its own: beside the mail button it made the page scroll sideways in a wide font.
        answers_row = QHBoxLayout()
        self.answers_button = QPushButton()
        self.answers_button.clicked.connect(self.copy_answers)
        answers_row.addWidget(self.answers_button)
        answers_row.addStretch(1)
        self.layout_.addLayout(answers_row)
        self.status = self.paragraph()
        self.layout_.addStretch(1)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(300)
        self.debounce.timeout.connect(self.render)
        # Keystrokes are gathered for a moment and written in one update by the session's
        # background writer; the letter is rendered again once the write is on disk.
        self.pending: set[str] = set()
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(400)
        self.save_timer.timeout.connect(self._save_details)
        session.saved.connect(self._case_saved)
        session.notice_changed.connect(self.debounce.start)
        # A saved bundle is the case as it was: any change after it says so.
        self.saved_path: str | None = None
        for signal in (session.saved, session.results_changed, session.notice_changed):
            signal.connect(self._bundle_outdated)
        group.buttonToggled.connect(lambda _button, on: self.render() if on else None)
        self.refresh_button.clicked.connect(self.render)
        self.save_button.clicked.connect(self.save_bundle)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.letter.toPlainText())
        )
        self.mail_button.clicked.connect(self.open_mail)
        self.letter.textChanged.connect(self._edited)
        self.workers: list = []
        # The details the case holds are read on a worker; until they are in, the notice does
        # not fill a field (it would take the place of what the user typed last time).
        self.details_read = False
        self._notice_for_fields = None
        self.retranslate()
        QTimer.singleShot(0, self.read_details)

    def read_details(self) -> None:
        self.details_task = workers.run_task(
            workers.saved_details,
            str(self.session.case_path),
            on_result=self._details_read,
            on_finished=self._details_done,
        )

    def _details_read(self, details: dict) -> None:
        for key, edit in self.fields.items():
            if key not in self.pending and not edit.text():  # typed meanwhile: the typing wins
                edit.setText(details.get(key, ""))

    def _details_done(self) -> None:
        self.details_read = True
        if self._notice_for_fields is not None:
            self._fill_from_notice(self._notice_for_fields)

    def _case_saved(self, what: str) -> None:
        # A bound method, not a lambda: Qt drops the connection when this page is deleted.
        if what == "details":
            self.debounce.start()

    def letter_lang(self) -> str:
        return next(code for code, b in self.lang_buttons.items() if b.isChecked())

    def retranslate(self) -> None:
        # The letter follows the window's language unless the user picks the other one.
        self.lang_buttons[i18n.get_language()].setChecked(True)
        self.heading.setText(_("5. Reply to your provider"))
        self.intro.setText(
            _(
                "Fill in what the letter needs. It is saved as you type. Check the letter, then send it with the evidence."
            )
        )
        self.names = names = {key: _(label) for key, label in DETAIL_LABELS.items()}
        for key, label in self.labels.items():
            label.setText(names[key])
            self.fields[key].setAccessibleName(names[key])
        self.refresh_button.setText(_("Update the letter"))
        self.letter.setAccessibleName(_("The letter to your provider"))
        self.contents_title.setText("<b>" + _("What goes into the evidence bundle") + "</b>")
        self.mask_paths.setText(_("Hide my user name in file paths"))
        self.save_button.setText(_("Save evidence bundle…"))
        self.copy_button.setText(_("Copy the letter"))
        self.answers_button.setText(_("Copy the answers for the provider's form"))
        self.mail_button.setText(_("Open in my mail program"))
        self.revert_button.setText(_("Back to the generated letter"))
        if getattr(self, "_status_words", None):
            self.status.setText(self._status_words())
        self.show_edit_state()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.render()

    def _detail_edited(self, key: str) -> None:
        self.pending.add(key)
        self.save_timer.start()

    def _save_details(self) -> None:
        values = {k: self.fields[k].text() for k in self.pending}
        self.pending.clear()
        self.session.set_details(values)

    def render(self) -> None:
        # Workers finish in any order (a slow PC, a busy disk): only the newest render's
        # answers are shown, never an older one arriving late over them.
        lang = self.letter_lang()
        letter = self._run(
            workers.render_letter, self._set_letter, str(self.session.case_path), lang
        )
        contents = self._run(
            workers.plan_bundle,
            self._show_contents,
            str(self.session.case_path),
            lang,
            self.mask_paths.isChecked(),
        )
        self._latest = (letter.signals, contents.signals)

    def _outdated(self) -> bool:
        """Called from a worker's result: True when a newer render has started since."""
        sender = self.sender()
        return sender is not None and sender not in getattr(self, "_latest", (sender,))

    def _run(self, fn, done, *args):
        worker = workers.run_task(
            fn,
            *args,
            on_result=done,
            on_error=lambda e: self._say(
                lambda: _("Something went wrong: {error}").format(error=e.splitlines()[0])
            ),
        )
        worker.signals.finished.connect(
            lambda w=worker: self.workers.remove(w) if w in self.workers else None
        )
        self.workers.append(worker)
        return worker

    def _set_letter(self, outcome) -> None:
        if self._outdated():
            return
        self.generated = outcome.text
        self.is_edited = outcome.edited is not None
        self.is_stale = bool(outcome.stale)
        text = outcome.edited if outcome.edited is not None else outcome.text
        self.letter.blockSignals(True)
        self.letter.setPlainText(text)
        self.letter.blockSignals(False)
        notice = outcome.model.assessment.notice
        self.notice_claim = notice.claim if notice else Claim()
        self._notice_for_fields = notice
        if self.details_read:
            self._fill_from_notice(notice)
        self.show_findings(outcome.model)
        self.show_edit_state()

    def _fill_from_notice(self, notice) -> None:
        """What the notice already gives is not asked again: an empty provider or reference
        field takes the notice's (issue 32), and is saved as if typed; a typed one stays."""
        if notice is None:
            return
        given = {
            "provider": notice.claim.provider or "",
            "reference": str(notice.reference or ""),
            "name": notice.claim.addressee or "",
            "contract_id": notice.claim.contract_id or "",
        }
        for key, value in given.items():
            if value and not self.fields[key].text() and key not in self.pending:
                self.fields[key].setText(value)
                self._detail_edited(key)

    def show_edit_state(self) -> None:
        if not hasattr(self, "edited_note"):
            return
        if self.is_stale:
            self.edited_note.setText(
                "<b>"
                + _esc(
                    _(
                        "You edited this letter, and the findings changed since: check it, or go"
                        " back to the generated letter."
                    )
                )
                + "</b>"
            )
        elif self.is_edited:
            self.edited_note.setText(_esc(_("Edited by you: the bundle will carry your version.")))
        else:
            self.edited_note.setText("")
        self.edited_note.setVisible(self.is_edited)
        self.revert_button.setVisible(self.is_edited)

    def revert(self) -> None:
        self.session.save_edited_letter(self.letter_lang(), None)
        self.is_edited = self.is_stale = False
        self.letter.blockSignals(True)
        self.letter.setPlainText(self.generated)
        self.letter.blockSignals(False)
        self.show_edit_state()

    def show_findings(self, model) -> None:
        a = model.assessment
        lines = []
        if a.uptime is not None and a.uptime.reason != "no_times":
            words = a.uptime.words()
            lines.append(f"<b>{_esc(words.title)}</b> {_esc(words.summary)}")
        self.findings.setText("<br>".join(lines))
        self.findings.setVisible(bool(lines))

    def _edited(self) -> None:
        self.session.save_edited_letter(
            self.letter_lang(), self.letter.toPlainText(), base=self.generated
        )
        if not self.is_edited:
            self.is_edited = True
            self.show_edit_state()

    def _show_contents(self, value) -> None:
        if self._outdated():
            return
        files, personal = value
        lines = [", ".join(files)]
        if personal:
            lines.append(
                "<b>"
                + _("Personal data in it:")
                + "</b> "
                + "; ".join(f"{k}: {v}" for k, v in personal.items())
            )
        self.contents.setText("<br>".join(lines))

    def save_bundle(self) -> None:
        default = str(Path.home() / f"clearline-{self.session.case_path.name}.zip")
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save evidence bundle"), default, "Zip (*.zip)"
        )
        if not path:
            return
        self._say(lambda: _("Writing the evidence bundle…"))
        self.saved_path = None
        self._run(
            workers.write_bundle,
            self._bundle_saved,
            str(self.session.case_path),
            self.letter_lang(),
            path,
            self.mask_paths.isChecked(),
        )

    def copy_answers(self) -> None:
        self._run(
            workers.self_help_answers,
            self._answers_ready,
            str(self.session.case_path),
            self.letter_lang(),
        )

    def _answers_ready(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self._say(
            lambda: _(
                "The two answers are copied: paste them into the provider's form (what was"
                " done, and what keeps it from happening again)."
            )
        )

    def _say(self, words) -> None:
        """Step 5's status line, from a function that words it: a language switch words it
        again (a note stayed Japanese after switching to English, issue 32)."""
        self._status_words = words
        self.status.setText(words())
        # The line sits below the letter and the buttons: at 1280x720 it was below the fold,
        # and a saved bundle, a mail that could not open or an outdated bundle went unseen.
        QTimer.singleShot(0, lambda: self.ensure_visible(self.status))

    def _bundle_saved(self, value) -> None:
        self.saved_path = value[0]
        self._say(lambda: _("Saved: {path}").format(path=value[0]))

    def _bundle_outdated(self, *_args) -> None:
        if self.saved_path is None:
            return
        self._say(
            lambda: (
                "<b>"
                + _esc(
                    _(
                        "The case changed after you saved {path}: save the bundle again, so that it"
                        " carries the new letter and findings."
                    ).format(path=self.saved_path)
                )
                + "</b>"
            )
        )

    MAILTO_BODY_LIMIT = 1800  # mail programs cut long mailto: links; the letter is copied too

    def mail_draft(self) -> tuple[str, str, str, bool]:
        """(recipient, subject, body, whole): the provider's desk from the notice, the notice's
        reference in the subject, the letter (cut to what a mailto link carries), and the
        bundle to attach named."""
        claim = getattr(self, "notice_claim", None) or Claim()
        recipient = claim.reply_to or ""
        reference = self.fields["reference"].text() or claim.reference or ""
        subject = (
            _("Re: your notice {reference}").format(reference=reference)
            if reference
            else _("Re: your notice about spam from my line")
        )
        letter = self.letter.toPlainText()
        # The file the user saved (and will attach), under whatever name they chose.
        saved = getattr(self, "saved_path", None)
        bundle = Path(saved).name if saved else f"clearline-{self.session.case_path.name}.zip"
        attach = _("Please find attached the evidence bundle {file}.").format(file=bundle)
        body = letter.rstrip() + "\n\n" + attach
        whole = len(quote(body)) <= self.MAILTO_BODY_LIMIT
        if not whole:
            intro = _("(The full letter is in the attached file; here is its beginning.)")
            n = len(letter)
            while n > 0:
                body = intro + "\n\n" + letter[:n].rstrip() + "…\n\n" + attach
                if len(quote(body)) <= self.MAILTO_BODY_LIMIT:
                    break
                n -= max(1, n // 8)
        return recipient, subject, body, whole

    def open_mail(self) -> None:
        recipient, subject, body, whole = self.mail_draft()
        QGuiApplication.clipboard().setText(self.letter.toPlainText())
        url = f"mailto:{quote(recipient)}?subject={quote(subject)}&body={quote(body)}"
        opened = QDesktopServices.openUrl(QUrl(url))
        if not opened:
            self._say(
                lambda: _(
                    "No mail program opened. The letter is copied: paste it into a new mail"
                    " to {address} and attach the evidence bundle."
                ).format(address=recipient or _("your provider's abuse desk"))
            )
        elif not whole:
            self._say(
                lambda: _(
                    "The letter was too long for the mail program's link: it is copied, paste it in."
                )
            )


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
