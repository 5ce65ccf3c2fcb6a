"""The evidence bundle: round trip with sha256sum -c and verify, tampering, kill safety, PDF."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from reports import bundle
from tests.cases import JST, TODAY, build

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def written(tmp_path):
    case = build("infected", tmp_path)
    plan = bundle.plan(case, "ja", JST, today=TODAY)
    return case, bundle.write(plan, tmp_path / "evidence.zip"), plan


def rewrite(src: Path, dst: Path, change=None, drop=None, add=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename == drop:
                continue
            data = zin.read(info.filename)
            if info.filename == change:
                data = bytes([data[0] ^ 0x01]) + data[1:]
            zout.writestr(info.filename, data)
        if add:
            zout.writestr(add, b"extra")


@pytest.mark.skipif(not shutil.which("sha256sum"), reason="sha256sum (coreutils) is not installed")
def test_sha256sum_checks_the_unzipped_bundle(written, tmp_path):
    _case, path, _plan = written
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    out = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count(": OK") == len(list(folder.iterdir())) - 1


def test_bundle_contents(written):
    _case, path, plan = written
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        readme = zf.read("README.txt").decode()
    assert {
        "letter.ja.txt",
        "letter.en.txt",
        "report.html",
        "results.json",
        "notice.json",
        "reply.json",
        "README.txt",
        "SHA256SUMS",
    } <= names
    assert "sha256sum -c SHA256SUMS" in readme and "Get-FileHash" in readme
    assert "誰が作成したかを示すものではありません" in readme
    # Personal data is named in words of the bundle's language, never by field names.
    assert plan.personal["お名前"] == "山田 太郎" and "name" not in plan.personal


def test_verify_names_each_changed_missing_and_extra_file(written, tmp_path):
    _case, path, _plan = written
    assert bundle.verify(path).ok
    flipped, removed, added = tmp_path / "f.zip", tmp_path / "r.zip", tmp_path / "a.zip"
    rewrite(path, flipped, change="letter.ja.txt")
    rewrite(path, removed, drop="results.json")
    rewrite(path, added, add="malware.exe")
    assert bundle.verify(flipped).changed == ["letter.ja.txt"]
    assert bundle.verify(removed).missing == ["results.json"]
    assert bundle.verify(added).extra == ["malware.exe"]
    for bad in (flipped, removed, added):
        out = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "verify", str(bad)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert out.returncode == 2
    assert (
        "CHANGED  letter.ja.txt"
        in subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "verify", str(flipped), "--lang", "en"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    )


def test_a_byte_flipped_inside_the_zip_file_is_caught(written, tmp_path):
    _case, path, _plan = written
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("letter.en.txt")
    data[info.header_offset + 30 + len(info.filename) + 5] ^= 0xFF  # inside the compressed data
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    result = bundle.verify(damaged)
    assert not result.ok and "letter.en.txt" in result.changed


def test_killing_the_writer_leaves_no_file_under_the_final_name(tmp_path):
    case = build("clean", tmp_path)
    out = tmp_path / "final.zip"
    env = dict(os.environ, CLEARLINE_TEST_BUNDLE_PAUSE="1.0")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "bundle",
            "--case",
            str(case.path),
            "--out",
            str(out),
            "--no-pdf",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(tmp_path.glob(".final.zip.*.partial")):
        time.sleep(0.05)
    assert list(tmp_path.glob(".final.zip.*.partial")), "the writer never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()


def test_pdf_text_matches(written, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _case, _path, plan = written
    if "report.pdf" not in plan.files:
        pytest.skip("no PDF: " + "; ".join(plan.warnings))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(plan.files["report.pdf"])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    text = unicodedata.normalize("NFKC", text)
    for expected in (
        "Clearline",
        "svchost.exe",
        "一度も確認されませんでした",
        "日本時間",
        "SMTP-OUT",
    ):
        assert unicodedata.normalize("NFKC", expected) in text, expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "emb" in fonts.splitlines()[0] and " yes " in fonts  # the Japanese font is embedded


def test_headless_flow_from_audit_to_verify(tmp_path):
    case = tmp_path / "case"
    py = [sys.executable, str(ROOT / "main.py")]

    def run(*args):
        return subprocess.run([*py, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)

    assert run(
        "audit", "--only", "SMTP-OUT,SMTP-LISTEN", "--json", "--case", str(case)
    ).returncode in (0, 1, 2)
    assert run(
        "notice", str(ROOT / "tests/data/notices/notice_ja.txt"), "--json", "--case", str(case)
    ).returncode in (1, 2)
    assert (
        run(
            "details",
            "--case",
            str(case),
            "--name",
            "山田 太郎",
            "--contract-id",
            "EX-1",
            "--done",
            "scan=2026-11-21",
        ).returncode
        == 0
    )
    letter = run("letter", "--case", str(case), "--lang", "ja")
    assert "ABUSE-2026-112034" in letter.stdout and "山田 太郎" in letter.stdout
    summary = run("letter", "--case", str(case), "--summary")
    # The support summary answers what the provider claims, what was seen, what was done,
    # what the letter says and what comes next.
    for question in (
        "Provider claims:",
        "Seen:",
        "Done: Ran a full antivirus scan",
        "Letter says:",
        "Next:",
    ):
        assert question in summary.stdout, summary.stdout
    assert "203.0.113.45" in summary.stdout and len(summary.stdout.splitlines()) <= 15
    out = tmp_path / "b.zip"
    made = run("bundle", "--case", str(case), "--out", str(out), "--json", "--no-pdf")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["personal_data"]["Your name"] == "山田 太郎"
    assert run("verify", str(out)).returncode == 0
    reopened = json.loads((case / "details.json").read_text())
    assert reopened["contract_id"] == "EX-1"
