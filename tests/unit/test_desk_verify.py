"""A desk checks many bundles at once: one JSON line each, intact or not and why, and what the
bundle's reply.json says (only when its checksum matched), on a machine with nothing but Python
and Clearline's source (no site-packages at all)."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from cases.store import JOURNAL_FILE
from reports import bundle, bundle_check, reply
from tests.cases import JST, TODAY, build

ROOT = Path(__file__).resolve().parents[2]


def make_bundles(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for kind in ("infected", "forged"):
        case = build(kind, tmp_path / "cases")
        bundle.write(
            bundle.plan(case, "en", JST, today=TODAY, with_pdf=False), folder / f"{kind}.zip"
        )
    # A bundle whose reply.json was rewritten after it was made (SHA256SUMS left as it was).
    with (
        zipfile.ZipFile(folder / "forged.zip") as src,
        zipfile.ZipFile(folder / "rewritten.zip", "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "reply.json":
                doc = json.loads(data)
                doc["x_clearline"]["verdict"]["kind"] = "clean"
                data = json.dumps(doc).encode()
            dst.writestr(info.filename, data)
    (folder / "notes.txt").write_text("not a bundle", encoding="utf-8")
    return folder


def lines_of(out: str) -> dict[str, dict]:
    return {Path(d["file"]).name: d for d in map(json.loads, out.splitlines())}


def test_many_bundles_one_line_each(tmp_path):
    folder = make_bundles(tmp_path)
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "verify", str(folder)],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert out.returncode == 2, out.stderr  # one of them is not intact
    lines = lines_of(out.stdout)
    assert sorted(lines) == ["forged.zip", "infected.zip", "rewritten.zip"]
    assert lines["infected.zip"]["intact"] and lines["infected.zip"]["why"] == []
    assert lines["infected.zip"]["verdict"] == "infected"
    assert lines["forged.zip"]["verdict"] == "forged"
    assert lines["forged.zip"]["source"] == "45.95.147.213"
    bad = lines["rewritten.zip"]
    assert not bad["intact"] and bad["why"] == ["changed: reply.json"]
    assert bad["verdict"] is None  # a reply that does not match its checksum is not read


# -S: no site-packages, -E: no PYTHON* variables, -s: no user site
BARE_PYTHON = (sys.executable, "-S", "-E", "-s")
NAMES = ("infected.zip", "forged.zip")


def test_the_desks_entry_point_needs_nothing_but_the_standard_library(tmp_path):
    folder = make_bundles(tmp_path)
    out = subprocess.run(
        [*BARE_PYTHON, "-m", "reports.bundle_check", *(str(folder / n) for n in NAMES)],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = lines_of(out.stdout)
    assert [lines[n]["intact"] for n in ("infected.zip", "forged.zip")] == [True, True]


EN = ("--lang", "en")


def test_one_bundle_keeps_the_readable_answer(tmp_path):
    folder = make_bundles(tmp_path)
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "verify", str(folder / "infected.zip"), *EN],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert out.returncode == 0 and "OK       reply.json" in out.stdout


def test_the_checkers_names_are_the_writers():
    assert bundle_check.JOURNAL_FILE == JOURNAL_FILE
    assert bundle_check.REPLY_FILE == reply.FILE_NAME


def test_the_desks_entry_point_writes_any_name_through_any_code_page(tmp_path):
    """A desk on an English Windows (cp1252) checking a bundle in a folder named 証拠: the JSON
    line reaches the file in UTF-8 instead of stopping on the name (issue 31)."""
    folder = make_bundles(tmp_path)
    japanese = tmp_path / "証拠"
    japanese.mkdir()
    (folder / "infected.zip").rename(japanese / "infected.zip")
    out = subprocess.run(
        # No -E here: PYTHONIOENCODING stands in for the Windows code page.
        [sys.executable, "-S", "-s", "-m", "reports.bundle_check", str(japanese)],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    line = json.loads(out.stdout.decode("utf-8"))
    assert line["intact"] and "証拠" in line["file"]


def test_the_names_stand_in_one_column_in_japanese(tmp_path):
    """「変更あり」 is four wide characters (8 cells): padded by characters it pushed the names
    one cell right of the OK rows'."""
    good = make_bundles(tmp_path) / "infected.zip"
    bad = tmp_path / "changed.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data + b"x" if info.filename == "letter.en.txt" else data)
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "verify", "--lang", "ja", str(bad)],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    from reports.console import display_width

    rows = [line for line in out.stdout.splitlines() if line.endswith((".txt", ".json"))]
    starts = {display_width(line) - len(line.split()[-1]) for line in rows}
    assert len(rows) >= 2 and len(starts) == 1, rows
