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
import zlib
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from cases.store import CAPTURE_FILE, NOTICE_FILE, PCAP_FILE, Case
from reports import report

SUMS = "SHA256SUMS"

README = """Clearline evidence bundle / Clearline 証拠一式
================================================

[English]
This archive was written by Clearline for case {case}. It holds:
{files_en}
To check that nothing was changed, unzip it and run in the folder:
    sha256sum -c SHA256SUMS
(macOS: shasum -a 256 -c SHA256SUMS; Windows PowerShell: compare Get-FileHash output with
SHA256SUMS). Every line must say OK. Message bodies, SMTP AUTH exchanges and passwords are not
included.

[日本語]
この圧縮ファイルは Clearline が案件 {case} について作成したものです。内容:
{files_ja}
改ざんされていないことを確かめるには、展開したフォルダーで次を実行してください。
    sha256sum -c SHA256SUMS
（macOS では shasum -a 256 -c SHA256SUMS）。すべての行が OK になれば改ざんはありません。
メール本文、SMTP の認証のやり取り、パスワードは含まれていません。
"""

DESCRIPTIONS = {
    "letter.ja.txt": (
        "reply to the provider (Japanese, plain text)",
        "プロバイダーへの返信（日本語・テキスト）",
    ),
    "letter.en.txt": (
        "reply to the provider (English, plain text)",
        "プロバイダーへの返信（英語・テキスト）",
    ),
    "letter.ja.html": (
        "reply to the provider (Japanese, HTML)",
        "プロバイダーへの返信（日本語・HTML）",
    ),
    "letter.en.html": (
        "reply to the provider (English, HTML)",
        "プロバイダーへの返信（英語・HTML）",
    ),
    "report.html": ("the full report (HTML)", "報告書（HTML）"),
    "report.pdf": ("the full report (PDF)", "報告書（PDF）"),
    "results.json": ("every check result, machine-readable", "すべての確認結果（機械可読）"),
    "assessment.json": (
        "what the letter concludes and the figures it rests on",
        "返信の結論とその根拠となる数値",
    ),
    "notice.json": ("the analysis of the provider's notice", "プロバイダーの通知の分析"),
    "capture.json": ("the traffic capture summary", "通信の記録の要約"),
    "capture.pcap": (
        "the scrubbed packet capture (opens in Wireshark)",
        "通信の記録（Wireshark で開けます。本文等は除去済み）",
    ),
    "README.txt": ("this file", "このファイル"),
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
    text = text.replace(home, "~")
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
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    for code in ("ja", "en"):
        edited = case.edited_letter(code)  # the user's own edits win
        text = edited if edited is not None else report.letter_text(case, code, zone, today)
        files[f"letter.{code}.txt"] = text.encode("utf-8")
        files[f"letter.{code}.html"] = report.render_letter_html(text, code).encode("utf-8")
    html = report.report_html(case, lang, zone, today)
    files["report.html"] = html.encode("utf-8")
    if with_pdf:
        import tempfile

        from reports.pdf import PdfUnavailable, write_pdf

        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "report.pdf"
            try:
                write_pdf(html, target)
                files["report.pdf"] = target.read_bytes()
            except PdfUnavailable as exc:
                warnings.append(f"no PDF: Qt could not be loaded ({exc})")
    results = {
        "results": [r.to_dict() for r in case.results()],
        "history": [r.to_dict() for r in case.history()],
    }
    files["results.json"] = json.dumps(results, ensure_ascii=False, indent=2).encode("utf-8")
    # What the letter concluded and the figures it rests on, machine-readable.
    from cases.assessment import assess

    local = zone or datetime.now().astimezone().tzinfo
    written = (today or datetime.now().astimezone()).astimezone(local)
    files["assessment.json"] = json.dumps(
        {"letter_written": written.isoformat(), **assess(case, local).to_dict(local)},
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")
    for name in (NOTICE_FILE, CAPTURE_FILE):
        data = case.read_json(name)
        if data is not None:
            files[name] = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    pcap = case.pcap_path()
    if pcap.exists():
        files[PCAP_FILE] = pcap.read_bytes()
    if mask_paths:
        files = {
            n: (
                _mask(b.decode("utf-8")).encode("utf-8")
                if n.endswith((".json", ".txt", ".html"))
                else b
            )
            for n, b in files.items()
        }
    names = [*files, "README.txt"]
    files["README.txt"] = README.format(
        case=case.path.name,
        files_en="\n".join(f"  {n:16} {DESCRIPTIONS.get(n, ('', ''))[0]}" for n in names),
        files_ja="\n".join(f"  {n:16} {DESCRIPTIONS.get(n, ('', ''))[1]}" for n in names),
    ).encode("utf-8")
    details = case.details()
    personal = {k: v for k, v in details.items() if v}
    user = getpass.getuser()
    if not mask_paths and any(
        user in b.decode("utf-8", "ignore") for n, b in files.items() if n.endswith(".json")
    ):
        personal["user name in file paths"] = user
    notice = case.notice() or {}
    if notice.get("claim", {}).get("source_ips"):
        personal["IP addresses from the notice"] = ", ".join(notice["claim"]["source_ips"])
    return Plan(files, personal, mask_paths, warnings)


def sums_text(files: dict[str, bytes]) -> str:
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )


def write(plan_: Plan, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    pause = float(
        os.environ.get("CLEARLINE_TEST_BUNDLE_PAUSE", "0") or 0
    )  # tests: widen the window
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in sorted(plan_.files.items()):
                zf.writestr(name, data)
                if pause:
                    time.sleep(pause)
            zf.writestr(SUMS, sums_text(plan_.files))
        with open(partial, "rb+") as fp:
            os.fsync(fp.fileno())
        os.replace(partial, out)
    except BaseException:
        try:
            partial.unlink()
        except OSError:
            pass
        raise
    return out


@dataclass
class Verification:
    ok: bool
    checked: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def verify(path: Path) -> Verification:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return Verification(False, error=f"not a readable zip file: {exc}")
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        if SUMS not in names:
            return Verification(
                False, extra=[n for n in names], error="the bundle has no SHA256SUMS file"
            )
        try:
            sums = zf.read(SUMS).decode("utf-8")
        except (zipfile.BadZipFile, UnicodeDecodeError, OSError, zlib.error) as exc:
            return Verification(False, changed=[SUMS], error=f"SHA256SUMS is damaged: {exc}")
        expected = {}
        for line in sums.splitlines():
            m = _SUM_LINE.match(line.strip())
            if m:
                expected[m.group(2)] = m.group(1)
        result = Verification(True)
        for name, digest in sorted(expected.items()):
            if name not in names:
                result.missing.append(name)
                continue
            try:
                data = zf.read(name)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
                result.changed.append(name)  # a damaged entry fails its CRC: it was changed
                continue
            if hashlib.sha256(data).hexdigest() != digest:
                result.changed.append(name)
            else:
                result.checked.append(name)
        result.extra = sorted(n for n in names if n not in expected and n != SUMS)
        result.ok = not (result.changed or result.missing or result.extra)
        return result
