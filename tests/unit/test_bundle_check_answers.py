"""The desk's checker, answer by answer (reports/bundle_check.py): the whole JSON line a desk's
tools ingest for a bundle, the exact problems of a reply.json that does not describe its bundle,
and the exact refusals. Written after mutation testing (docs/mutation.md): it had never been
measured (73% once it was); the older tests asked "intact or not" and "some reply.json
problem"."""

import zipfile

import pytest

from reports import bundle_check
from tests.unit.test_desk_verify_reply import (
    add_program,
    drop_journal,
    edit_letter,
    files_of,
    made,  # noqa: F401 (the fixture)
    remade,
    reply_of,
    zero_head_and_clear,
)


def test_the_desk_line_of_an_intact_bundle_says_what_its_reply_says(made):  # noqa: F811
    doc = reply_of(files_of(made))
    ext = doc["x_clearline"]
    journal = ext["journal"]
    line = bundle_check.desk_line(made)
    assert line == {
        "file": str(made),
        "intact": True,
        "why": [],
        "reply_id": doc["report_id"],
        "reference": ext["in_reply_to"]["reference"],
        "source": doc["source_identifier"],
        "incident": doc["timestamp"],
        "verdict": ext["verdict"]["kind"],
        "origin": ext["verdict"]["origin"],
        "cleanup_status": ext["cleanup_status"],
        "coverage": {
            "window": journal["window"],
            "complete": journal["complete"],
            "gaps": len(journal["gaps"]),
            "verified": True,
            "chain_head": journal["chain_head"],
        },
    }
    # Each of them is there to be read (a test of Nones would compare Nones).
    assert all(line[k] for k in ("reply_id", "source", "incident", "verdict", "coverage"))
    assert len(line["coverage"]["chain_head"]) == 64


EXPECTED = {
    "edit_letter": [
        "reply.json: describes letter.en.txt other than the bundle holds it",
        "reply.json: its evidence hashes are not the bundle's files",
    ],
    "add_program": [
        "reply.json: does not name evil.exe, which the bundle holds",
        "reply.json: its evidence hashes are not the bundle's files",
    ],
    "drop_journal": [
        "reply.json: names journal.json, which the bundle does not hold intact",
        "reply.json: its evidence hashes are not the bundle's files",
        "reply.json: cites a verified journal the bundle does not bear out",
    ],
    "zero_head_and_clear": ["reply.json: its journal head is not the head of journal.json"],
}


@pytest.mark.parametrize(
    "change",
    [edit_letter, add_program, drop_journal, zero_head_and_clear],
    ids=lambda f: f.__name__,
)
def test_each_way_a_reply_can_misdescribe_its_bundle_is_named_exactly(made, change):  # noqa: F811
    files = files_of(made)
    change(files)
    out = remade(made, files)
    result = bundle_check.verify(out)
    assert (result.ok, result.problems) == (False, EXPECTED[change.__name__])
    line = bundle_check.desk_line(out)
    assert (line["intact"], line["why"]) == (False, EXPECTED[change.__name__])


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "error", "changed"),
    [
        (
            lambda p: (p.write_bytes(b"hello"), p)[1],
            "not a readable zip file: too short to be a zip file",
            [],
        ),
        (
            lambda p: _zip(p, [("a.txt", b"a")]),
            "the bundle has no SHA256SUMS file",
            [],
        ),
        (
            lambda p: _zip(p, [("SHA256SUMS", b"\xff\xfe not text")]),
            "SHA256SUMS is damaged: 'utf-8' codec can't decode byte 0xff in position 0: invalid"
            " start byte",
            ["SHA256SUMS"],
        ),
    ],
    ids=["not-a-zip", "no-list", "list-not-text"],
)
def test_each_refusal_is_said_exactly(tmp_path, make, error, changed):
    result = bundle_check.verify(make(tmp_path / "b.zip"))
    assert (result.ok, result.error, result.changed) == (False, error, changed)


def test_the_limits_are_said_with_their_numbers(tmp_path, monkeypatch):
    path = _zip(tmp_path / "b.zip", [("a.txt", b"a"), ("b.txt", b"b"), ("SHA256SUMS", b"")])
    monkeypatch.setattr(bundle_check, "MAX_ENTRIES", 2)
    assert bundle_check.verify(path).error == "the bundle has 3 entries (at most 2)"
    monkeypatch.setattr(bundle_check, "MAX_ENTRIES", 10)
    monkeypatch.setattr(bundle_check, "MAX_SUMS_BYTES", 0)
    path = _zip(tmp_path / "c.zip", [("SHA256SUMS", b"x")])
    result = bundle_check.verify(path)
    assert (result.error, result.changed) == (
        "SHA256SUMS is damaged: larger than a checksum list",
        ["SHA256SUMS"],
    )


@pytest.mark.parametrize(
    ("raised", "error"),
    [
        (MemoryError(), "the zip is too large to check"),
        (RuntimeError("x"), "the zip is damaged (RuntimeError)"),
    ],
)
def test_an_unexpected_failure_is_a_refusal_never_a_crash(tmp_path, monkeypatch, raised, error):
    def fail(_path):
        raise raised

    monkeypatch.setattr(bundle_check, "_verify", fail)
    result = bundle_check.verify(tmp_path / "b.zip")
    assert (result.ok, result.error) == (False, error)
