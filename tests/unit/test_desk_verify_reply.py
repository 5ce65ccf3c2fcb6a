"""A desk's tools read reply.json, not the files beside it: verify says "intact" only when
reply.json describes exactly the files the bundle holds and cites only the journal it carries,
even when whoever changed the bundle remade SHA256SUMS (issue 33)."""

import hashlib
import json
import zipfile
from datetime import timedelta

import pytest

from reports import bundle, bundle_check
from tests.unit.test_journal_letter import JST, REPORTED, make_journal, read_notice


@pytest.fixture
def made(tmp_path, no_journal_of_this_machine):
    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
    )
    case = read_notice(tmp_path)
    out = tmp_path / "bundle.zip"
    bundle.write(bundle.plan(case, "en", JST, with_pdf=False), out)
    return out


def files_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def remade(path, files: dict[str, bytes]):
    """The bundle written again with a SHA256SUMS that lists exactly what it now holds."""
    files = {n: d for n, d in files.items() if n != bundle_check.SUMS}
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(files.items()))
    out = path.with_name("remade.zip")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(bundle_check.SUMS, sums)
    return out


def reply_of(files):
    return json.loads(files["reply.json"])


def test_a_bundle_remade_unchanged_is_intact(made):
    files = files_of(made)
    assert reply_of(files)["x_clearline"]["journal"]["verified"] is True
    result = bundle_check.verify(remade(made, files))
    assert result.ok, result.problems


def edit_letter(files):
    files["letter.en.txt"] = files["letter.en.txt"].replace(b"Dear", b"Dear team, I admit it.")


def add_program(files):
    files["evil.exe"] = b"MZ" + bytes(100)


def drop_journal(files):
    del files["journal.json"]


def zero_head_and_clear(files):
    doc = reply_of(files)
    doc["x_clearline"]["journal"]["chain_head"] = "0" * 64
    doc["x_clearline"]["verdict"]["kind"] = "clean"
    files["reply.json"] = json.dumps(doc).encode()


@pytest.mark.parametrize(
    "change",
    [edit_letter, add_program, drop_journal, zero_head_and_clear],
    ids=lambda f: f.__name__,
)
def test_a_reply_that_does_not_describe_the_bundle_is_not_intact(made, change):
    files = files_of(made)
    change(files)
    result = bundle_check.verify(remade(made, files))
    assert not result.ok
    assert any(p.startswith("reply.json:") for p in result.problems), result.problems
    line = bundle_check.desk_line(remade(made, files))
    assert line["intact"] is False and any("reply.json" in w for w in line["why"])


def test_any_file_changed_under_a_remade_checksum_list_is_caught(made):
    files = files_of(made)
    for name in sorted(files):
        if name in ("reply.json", bundle_check.SUMS):
            continue
        changed = dict(files)
        changed[name] = files[name] + b" "
        assert not bundle_check.verify(remade(made, changed)).ok, name
