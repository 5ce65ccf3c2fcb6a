"""Fuzzing the parsers of outside input that had none: capture files, bundles and every case
file. Each must answer (a result, a clear error or a set-aside file), never raise, within a
time budget per example."""

import io
import shutil
import struct
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.store import CASE_FILE_NAMES, Case
from checks import pcapfile
from reports import bundle
from tests.budget import examples

BUDGET = settings(
    max_examples=examples(150),
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow],
)
MAGICS = [b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x0a\x0d\x0d\x0a", b"\x4d\x3c\xb2\xa1"]


@BUDGET
@given(st.sampled_from(MAGICS), st.binary(max_size=4096))
def test_the_capture_reader_never_raises_on_damaged_files(magic, rest):
    reader = pcapfile.Reader(io.BytesIO(magic + rest))
    try:
        for ts, packet in reader.packets():
            assert ts >= 0 and isinstance(packet, bytes)
    except pcapfile.PcapError:
        pass
    assert reader.undecoded <= reader.frames


@BUDGET
@given(
    st.integers(0, 300),
    st.lists(st.binary(max_size=200), max_size=20),
)
def test_the_capture_reader_on_any_link_type(linktype, frames):
    data = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for frame in frames:
        data += struct.pack("<IIII", 1763600000, 0, len(frame), len(frame)) + frame
    reader = pcapfile.Reader(io.BytesIO(data))
    list(reader.packets())
    assert reader.frames == len(frames)
    if linktype not in pcapfile.KNOWN_LINKTYPES:
        assert reader.undecoded == len(frames)  # counted, never skipped silently


def a_bundle() -> bytes:
    buf = io.BytesIO()
    files = {"letter.ja.txt": "返信".encode(), "results.json": b"{}"}
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(bundle.SUMS, bundle.sums_text(files))
    return buf.getvalue()


GOOD = a_bundle()


@BUDGET
@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), max_size=8))
def test_verify_never_raises_on_a_damaged_bundle(flips):
    data = bytearray(GOOD)
    for index, value in flips:
        data[index] = value
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / "b.zip"
        path.write_bytes(bytes(data))
        result = bundle.verify(path)
        if bytes(data) != GOOD and result.ok:
            # A change that verify accepts must leave every listed file's content intact.
            with zipfile.ZipFile(path) as zf:
                assert zf.read("letter.ja.txt") == "返信".encode()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=examples(80), deadline=timedelta(seconds=10))
@given(
    st.sampled_from(CASE_FILE_NAMES),
    st.binary(max_size=600) | st.text(max_size=300).map(str.encode),
)
def test_any_bytes_in_any_case_file_are_set_aside_and_the_letter_still_renders(name, content):
    from reports.report import letter_text

    folder = Path(tempfile.mkdtemp())
    try:
        case = Case(folder / "case")
        case.set_details(name="Taro")
        (case.path / name).write_bytes(content)
        for lang in ("ja", "en"):
            assert letter_text(case, lang)
        with case.update() as u:
            u.set_details(phone="090")
        assert Case(case.path).details()["phone"] == "090"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
