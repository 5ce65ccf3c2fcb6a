"""Bundle verification on zips made here, one structure each, and the bundle's refusal of
targets it must not replace."""

import hashlib
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from reports import bundle, bundle_check
from reports.bundle import SUMS, verify
from tests.platform import assert_private

ROOT = Path(__file__).resolve().parents[2]


def sums(files: dict[str, bytes], sep: str = "  ") -> bytes:
    return "".join(
        f"{hashlib.sha256(d).hexdigest()}{sep}{n}\n" for n, d in sorted(files.items())
    ).encode()


def make_zip(path: Path, entries: list[tuple[str, bytes]], **info) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zi = zipfile.ZipInfo(name)
            zi.filename = name  # as given: on Windows ZipInfo turns "\\" into "/"
            for k, v in info.get(name, {}).items():
                setattr(zi, k, v)
            zf.writestr(zi, data)
    return path


FILES = {"letter.ja.txt": "返信".encode(), "results.json": b"{}"}


def good(tmp_path) -> Path:
    return make_zip(tmp_path / "b.zip", [*FILES.items(), (SUMS, sums(FILES))])


def test_a_good_bundle_is_intact_and_says_what_that_proves(tmp_path):
    result = verify(good(tmp_path))
    assert result.ok and sorted(result.checked) == sorted(FILES)
    assert "does not show who made them" in result.to_dict()["what_this_proves"]


def test_an_empty_checksum_list_is_not_intact(tmp_path):
    path = make_zip(tmp_path / "e.zip", [*FILES.items(), (SUMS, b"")])
    result = verify(path)
    assert not result.ok and "SHA256SUMS lists no files" in result.problems


def test_a_changed_byte_is_caught(tmp_path):
    path = make_zip(
        tmp_path / "c.zip",
        [("letter.ja.txt", "返信!".encode()), ("results.json", b"{}"), (SUMS, sums(FILES))],
    )
    assert verify(path).changed == ["letter.ja.txt"]


def test_two_members_of_one_name_are_not_intact(tmp_path):
    """The listed copy matches, a second copy of the same name differs: what an unzip tool
    shows depends on the tool."""
    path = tmp_path / "d.zip"
    with pytest.warns(UserWarning):
        make_zip(path, [*FILES.items(), ("results.json", b'{"evil": 1}'), (SUMS, sums(FILES))])
    result = verify(path)
    assert not result.ok and any("appears twice" in p for p in result.problems)


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/cron.d/x", "a/../../b", "C:/x.txt"])
def test_paths_that_leave_the_folder_are_not_intact(tmp_path, name):
    files = {**FILES, name: b"x"}
    path = make_zip(tmp_path / "p.zip", [*files.items(), (SUMS, sums(files))])
    assert not verify(path).ok


def test_a_symlink_entry_is_not_intact(tmp_path):
    files = {**FILES, "link": b"/etc/passwd"}
    path = make_zip(
        tmp_path / "s.zip",
        [*files.items(), (SUMS, sums(files))],
        link={"external_attr": (0o120777 << 16)},
    )
    result = verify(path)
    assert not result.ok and any("symbolic link" in p for p in result.problems)


def test_malformed_checksum_lines_are_reported(tmp_path):
    path = make_zip(tmp_path / "m.zip", [*FILES.items(), (SUMS, sums(FILES, sep=" "))])
    result = verify(path)
    assert not result.ok and result.problems


def test_encrypted_and_unknown_compression_entries_are_not_intact(tmp_path):
    raw = bytearray(good(tmp_path).read_bytes())
    # Mark the first entry encrypted (general purpose flag bit 0) in both of its headers.
    enc = bytearray(raw)
    i = enc.find(b"PK\x03\x04")
    enc[i + 6] |= 0x1
    j = enc.find(b"PK\x01\x02")
    enc[j + 8] |= 0x1
    (tmp_path / "x.zip").write_bytes(bytes(enc))
    result = verify(tmp_path / "x.zip")
    assert not result.ok and "letter.ja.txt" in result.changed
    # Set the compression method of the first local and central header to 99.
    i = raw.find(b"PK\x03\x04")
    raw[i + 8 : i + 10] = (99).to_bytes(2, "little")
    j = raw.find(b"PK\x01\x02")
    raw[j + 10 : j + 12] = (99).to_bytes(2, "little")
    odd = tmp_path / "odd.zip"
    odd.write_bytes(bytes(raw))
    assert not verify(odd).ok


def test_a_zip_bomb_is_hashed_in_bounded_memory(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.bin", "w", force_zip64=True) as fp:
            block = bytes(1024 * 1024)
            for _ in range(200):
                fp.write(block)
        zf.writestr(SUMS, f"{'0' * 64}  big.bin\n")
    assert path.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    result = verify(path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.changed == ["big.bin"]
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_too_many_entries_is_a_clear_refusal(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_check, "MAX_ENTRIES", 2)
    result = verify(good(tmp_path))
    assert not result.ok and "entries" in result.error


def run_main(*args):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )


def test_bundle_refuses_targets_it_must_not_replace(tmp_path):
    case = tmp_path / "case"
    assert run_main("details", "--case", str(case), "--name", "N").returncode == 0
    existing = tmp_path / "existing.zip"
    existing.write_bytes(b"keep me")
    for out in ("", str(tmp_path), "/dev/null", str(case / "details.json"), str(existing)):
        made = run_main("bundle", "--case", str(case), "--out", out, "--no-pdf")
        assert made.returncode == 3, (out, made.stderr)
        assert "Traceback" not in made.stderr and "No bundle was written" in made.stderr
    assert existing.read_bytes() == b"keep me"
    assert Path("/dev/null").is_char_device()
    assert (case / "details.json").read_text(encoding="utf-8").startswith("{")
    made = run_main("bundle", "--case", str(case), "--out", str(existing), "--no-pdf", "--force")
    assert made.returncode == 0, made.stderr
    assert zipfile.is_zipfile(existing)
    assert_private(existing)


def test_a_refusal_is_worded_in_one_language(tmp_path):
    """Issue 32: 「証拠一式は作成しませんでした：… exists; replace it with --force」."""
    case = tmp_path / "case"
    assert run_main("details", "--case", str(case), "--name", "N").returncode == 0
    existing = tmp_path / "existing.zip"
    existing.write_bytes(b"keep me")
    made = run_main(
        "bundle", "--case", str(case), "--out", str(existing), "--no-pdf", "--lang", "ja"
    )
    assert made.returncode == 3
    assert "置き換えるには --force を付けてください" in made.stderr, made.stderr
    assert "exists; replace it" not in made.stderr


def test_a_bundle_writer_killed_half_way_leaves_no_partial_behind(tmp_path):
    (tmp_path / ".b.zip.999.partial").write_bytes(b"half")
    bundle.clean_partials(tmp_path)
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.partial"))
