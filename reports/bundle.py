"""The evidence bundle: a zip whose SHA256SUMS file `sha256sum -c` checks with no Clearline
installed, and its verification.

The zip is written under a temporary name in the target folder and renamed only when complete,
so a crash or a kill never leaves a half bundle under the final name."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from babel import Locale

from cases.store import CAPTURE_FILE, JOURNAL_FILE, NOTICE_FILE, PCAP_FILE, Case
from checks import i18n
from checks.i18n import N_
from reports import reply, report
from reports.bundle_check import SUMS, Verification, verify  # noqa: F401 - the writer's reader
from reports.vocabulary import DETAIL_LABELS

README_TITLE = N_("Clearline evidence bundle")
README_BODY = N_(
    """This archive was written by Clearline for case {case}. It holds:
{files}
To check that the files match the list of checksums written when the bundle was made,
unzip it and run in the folder:
    sha256sum -c SHA256SUMS
(macOS: shasum -a 256 -c SHA256SUMS; Windows PowerShell: Get-FileHash -Algorithm SHA256 FILE
for each file, compared with its line in SHA256SUMS). Every line must say OK. The list travels
in this same archive: a match shows the files were not damaged, not who made them. Message
bodies, SMTP AUTH exchanges and passwords are not included."""
)

# What each file is, in the README's languages; a letter's description names its language.
DESCRIPTIONS = {
    "report.html": N_("the full report (HTML)"),
    "report.pdf": N_("the full report (PDF)"),
    "results.json": N_("every check result, machine-readable"),
    "assessment.json": N_("what the letter concludes and the figures it rests on"),
    "notice.json": N_("the analysis of the provider's notice"),
    "capture.json": N_("the traffic capture summary"),
    "journal.json": N_("the journal around the reported time, with its hash chain"),
    "capture.pcap": N_("the scrubbed packet capture (opens in Wireshark)"),
    "reply.json": N_("the reply for a desk's tools (XARF v4 fields; docs/reply-json.md)"),
    "README.txt": N_("this file"),
}
LETTER_DESCRIPTIONS = {
    "txt": N_("reply to the provider ({language}, plain text)"),
    "html": N_("reply to the provider ({language}, HTML)"),
}


def names() -> list[str]:
    """Every file a bundle can hold."""
    letters = [f"letter.{code}.{kind}" for code in i18n.CODES for kind in LETTER_DESCRIPTIONS]
    return [*letters, *DESCRIPTIONS]


def describe(name: str, lang: str) -> str:
    """What the file ``name`` is, in the language ``lang``."""
    if name.startswith("letter."):
        _, code, kind = name.split(".")
        language = Locale.parse(i18n.language(lang).cldr).languages.get(code, code)
        return i18n.gettext_in(lang, LETTER_DESCRIPTIONS[kind]).format(language=language)
    return i18n.gettext_in(lang, DESCRIPTIONS[name])


def readme(case_name: str, files: list[str]) -> str:
    """README.txt: what the bundle holds and how to check it, in every language."""
    title = " / ".join(i18n.gettext_in(lang.code, README_TITLE) for lang in i18n.LANGUAGES)
    parts = [title, "=" * 48, ""]
    for lang in i18n.LANGUAGES:
        listing = "\n".join(f"  {n:16} {describe(n, lang.code)}" for n in files)
        body = i18n.gettext_in(lang.code, README_BODY).format(case=case_name, files=listing)
        parts += [f"[{lang.name}]", body, ""]
    return "\n".join(parts)


PERSONAL_LABELS = {
    **DETAIL_LABELS,
    "user_in_paths": N_("Your user name, inside file paths"),
    "notice_ips": N_("IP addresses from the notice"),
}


@dataclass
class Plan:
    files: dict[str, bytes]
    personal: dict[str, str]
    masked: bool
    warnings: list[str] = field(default_factory=list)


def _mask(text: str) -> str:
    user = getpass.getuser()
    home = str(Path.home())
    # Windows paths ignore case: C:\Users\Taro and c:\users\taro are one folder.
    text = re.sub(re.escape(home), "~", text, flags=re.IGNORECASE if os.name == "nt" else 0)
    if len(user) >= 3:
        text = re.sub(rf"(?<=[\\/]){re.escape(user)}(?=[\\/])", "<user>", text)
    return text


def plan(
    case: Case,
    lang: str,
    zone: tzinfo | None = None,
    mask_paths: bool = False,
    today: datetime | None = None,
    with_pdf: bool = True,
) -> Plan:
    """Every file the bundle will hold, and the personal data in them, in the user's words."""
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    html = report.report_html(case, lang, zone, today)
    files["report.html"] = html.encode("utf-8")
    if with_pdf:
        _add_pdf(files, html, warnings)
    # After the PDF: the letters name report.pdf only when the bundle holds it.
    _add_letters(files, case, zone, today)
    results = {
        "results": [r.to_dict() for r in case.results()],
        "history": [r.to_dict() for r in case.history()],
    }
    files["results.json"] = json.dumps(results, ensure_ascii=False, indent=2).encode("utf-8")
    # What the letter concluded and the figures it rests on, machine-readable.
    from cases.assessment import assess

    local = zone or datetime.now().astimezone().tzinfo
    written = (today or datetime.now().astimezone()).astimezone(local)
    assessment = assess(case, local)
    files["assessment.json"] = json.dumps(
        {"letter_written": written.isoformat(), **assessment.to_dict(local)},
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")
    _add_case_files(files, case)
    if mask_paths:
        files = {
            n: (
                _mask(b.decode("utf-8")).encode("utf-8")
                if n.endswith((".json", ".txt", ".html"))
                else b
            )
            for n, b in files.items()
        }
    held = [*files, reply.FILE_NAME, "README.txt"]
    files["README.txt"] = readme(case.path.name, held).encode("utf-8")
    # Last but the checksums: its evidence hashes are those of every other file, as written.
    described = {n: describe(n, i18n.SOURCE) for n in held}
    answer = reply.document(case, assessment, dict(files), described, lang, local, written)
    text = json.dumps(answer, ensure_ascii=False, indent=2)
    files[reply.FILE_NAME] = (_mask(text) if mask_paths else text).encode("utf-8")
    return Plan(files, _personal(case, files, lang, mask_paths), mask_paths, warnings)


def _add_letters(
    files: dict[str, bytes], case: Case, zone: tzinfo | None, today: datetime | None
) -> None:
    for code in i18n.CODES:
        edited = case.edited_letter(code)  # the user's own edits win
        text = (
            edited
            if edited is not None
            else report.letter_text(case, code, zone, today, with_pdf="report.pdf" in files)
        )
        files[f"letter.{code}.txt"] = text.encode("utf-8")
        files[f"letter.{code}.html"] = report.render_letter_html(text, code).encode("utf-8")


def _add_case_files(files: dict[str, bytes], case: Case) -> None:
    """The notice, capture and journal documents as the case holds them, and the pcap."""
    for name in (NOTICE_FILE, CAPTURE_FILE, JOURNAL_FILE):
        data = case.read_json(name)
        if data is not None:
            files[name] = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    pcap = case.pcap_path()
    if pcap.exists():
        files[PCAP_FILE] = pcap.read_bytes()


def _add_pdf(files: dict[str, bytes], html: str, warnings: list[str]) -> None:
    import tempfile

    from reports.pdf import PdfUnavailable, write_pdf

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "report.pdf"
        try:
            write_pdf(html, target)
            files["report.pdf"] = target.read_bytes()
        except PdfUnavailable as exc:
            warnings.append(f"no PDF: Qt could not be loaded ({exc})")


def _personal(case: Case, files: dict[str, bytes], lang: str, mask_paths: bool) -> dict[str, str]:
    """The personal data the bundle holds, named in words of its language, never by field."""
    from checks import i18n

    token = i18n.use_language(lang)
    try:
        labels = {k: i18n._(msg) for k, msg in PERSONAL_LABELS.items()}
    finally:
        i18n.reset_language(token)
    personal = {labels[k]: v for k, v in case.details().items() if v and k in labels}
    user = getpass.getuser()
    if not mask_paths and any(
        user in b.decode("utf-8") for n, b in files.items() if n.endswith(".json")
    ):
        personal[labels["user_in_paths"]] = user
    notice = case.notice() or {}
    if notice.get("claim", {}).get("source_ips"):
        personal[labels["notice_ips"]] = ", ".join(notice["claim"]["source_ips"])
    return personal


def sums_text(files: dict[str, bytes]) -> str:
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )


class BundleRefused(ValueError):
    """The output path is not one a bundle may be written to."""


def check_target(
    out: str | os.PathLike[str], case: Case | None = None, force: bool = False
) -> Path:
    """Refuse what must not be replaced: nothing named, a directory or device, a file inside the
    case folder, an existing file unless ``force``. The reason is in the active language: it is
    shown inside a sentence of that language."""
    from checks.i18n import _

    if not str(out).strip():
        raise BundleRefused(_("no output file was named"))
    target = Path(out).expanduser()
    resolved = target.resolve()
    if case is not None:
        folder = case.path.resolve()
        if resolved == folder or folder in resolved.parents:
            raise BundleRefused(
                _("{path} is inside the case folder; choose another place").format(path=target)
            )
    if target.is_symlink() or resolved.exists():
        import stat

        mode = os.lstat(target).st_mode if target.exists() or target.is_symlink() else 0
        if not stat.S_ISREG(mode):
            raise BundleRefused(_("{path} exists and is not a regular file").format(path=target))
        if not force:
            raise BundleRefused(_("{path} exists; replace it with --force").format(path=target))
    if not resolved.parent.is_dir():
        raise BundleRefused(_("the folder {path} does not exist").format(path=resolved.parent))
    return target


def write(plan_: Plan, out: Path) -> Path:
    """Write the zip under a temporary name (private: 0600) and rename it into place."""
    from checks.safefile import refuse_unless_root_only

    out = Path(out)
    refuse_unless_root_only(out.absolute().parent)  # as root: only where the user cannot change
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    pause = float(
        os.environ.get("CLEARLINE_TEST_BUNDLE_PAUSE", "0") or 0
    )  # tests: widen the window
    created = False  # a file already there (planted, or another writer's) is not ours to touch
    try:
        fd = os.open(
            partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
        created = True
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for name, data in sorted(plan_.files.items()):
                    zf.writestr(name, data)
                    if pause:
                        time.sleep(pause)
                zf.writestr(SUMS, sums_text(plan_.files))
            raw.flush()
            os.fsync(raw.fileno())  # the descriptor written, not a name that may have changed
        os.replace(partial, out)
    except BaseException:
        if created:
            try:
                partial.unlink()
            except OSError:
                pass
        raise
    return out


def clean_partials(folder: Path) -> None:
    """Temporary bundles left by a process that was killed while writing."""
    for tmp in Path(folder).glob(".*.zip.*.partial"):
        try:
            tmp.unlink()
        except OSError:
            pass
