"""Bundle verification: each way a bundle can be wrong gives exactly one, complete answer
(intact or not, what was checked, changed, missing or extra, each problem in words).

Written after mutation testing (docs/mutation.md): the older tests asked only "intact or not",
so a wrong list of changed files or a problem reported as None passed. An abuse desk reads these
words; they must name the right files."""

import hashlib
import zipfile

import pytest

from reports import bundle_check
from reports.bundle import SUMS, verify

A, B = b"reply", b"{}"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_of(path, entries, attrs=None):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            info.filename = name  # as given: on Windows ZipInfo turns "\\" into "/"
            for key, value in (attrs or {}).get(name, {}).items():
                if key != "flag_bits":
                    setattr(info, key, value)
            zf.writestr(info, data)
    for name, values in (attrs or {}).items():
        if "flag_bits" in values:  # zipfile writes its own flags: set them in both headers
            raw = bytearray(path.read_bytes())
            at = raw.index(b"PK\x01\x02")
            while raw[at + 46 : at + 46 + len(name)] != name.encode():
                at = raw.index(b"PK\x01\x02", at + 4)
            raw[at + 8] |= values["flag_bits"]
            local = int.from_bytes(raw[at + 42 : at + 46], "little")
            raw[local + 6] |= values["flag_bits"]  # the local header says the same
            path.write_bytes(bytes(raw))
    return path


def listing(*pairs, sep="  "):
    return "".join(f"{digest(d)}{sep}{n}\n" for n, d in pairs).encode()


GOOD = [("a.txt", A), ("b.json", B), (SUMS, listing(("a.txt", A), ("b.json", B)))]
CASES = {
    "intact": (GOOD, {}, dict(ok=True, checked=["a.txt", "b.json"])),
    "binary marker in the listing": (
        [("a.txt", A), (SUMS, f"{digest(A)} *a.txt\n".encode())],
        {},
        dict(ok=True, checked=["a.txt"]),
    ),
    "a changed file": (
        [("a.txt", b"other"), ("b.json", B), GOOD[2]],
        {},
        dict(ok=False, checked=["b.json"], changed=["a.txt"]),
    ),
    "a missing file": (
        [("a.txt", A), GOOD[2]],
        {},
        dict(ok=False, checked=["a.txt"], missing=["b.json"]),
    ),
    "an extra file": (
        [*GOOD, ("c.txt", b"new")],
        {},
        dict(ok=False, checked=["a.txt", "b.json"], extra=["c.txt"]),
    ),
    "no checksum file": (
        [("a.txt", A), ("b.json", B)],
        {},
        dict(ok=False, extra=["a.txt", "b.json"], error="the bundle has no SHA256SUMS file"),
    ),
    "a one-space listing line": (
        [("a.txt", A), (SUMS, f"{digest(A)} a.txt\n\n".encode())],
        {},
        dict(
            ok=False,
            extra=["a.txt"],
            problems=["SHA256SUMS line 1 is not 'checksum  name'", "SHA256SUMS lists no files"],
        ),
    ),
    "a file listed twice": (
        [("a.txt", A), (SUMS, listing(("a.txt", A), ("a.txt", A)))],
        {},
        dict(ok=False, checked=["a.txt"], problems=["SHA256SUMS lists a.txt twice"]),
    ),
    "a bad line after good ones": (
        [("a.txt", A), (SUMS, listing(("a.txt", A)) + b"\nnot a line\n")],
        {},
        dict(ok=False, checked=["a.txt"], problems=["SHA256SUMS line 3 is not 'checksum  name'"]),
    ),
    "an absolute path": (
        [("/etc/x", A), (SUMS, listing(("/etc/x", A)))],
        {},
        dict(ok=False, checked=["/etc/x"], problems=["/etc/x: an absolute path"]),
    ),
    "a drive letter": (
        [("c:/x", A), (SUMS, listing(("c:/x", A)))],
        {},
        dict(ok=False, checked=["c:/x"], problems=["c:/x: an absolute path"]),
    ),
    "a backslash root": (
        [("\\x", A), (SUMS, listing(("\\x", A)))],
        {},
        dict(ok=False, checked=["\\x"], problems=["\\x: an absolute path"]),
    ),
    "a backslash": (
        [("a\\b", A), (SUMS, listing(("a\\b", A)))],
        {},
        dict(ok=False, checked=["a\\b"], problems=["a\\b: a backslash in its name"]),
    ),
    "leaving the folder": (
        [("x/../../y", A), (SUMS, listing(("x/../../y", A)))],
        {},
        dict(
            ok=False,
            checked=["x/../../y"],
            problems=["x/../../y: a path that leaves the folder (..)"],
        ),
    ),
    "dots inside a name are fine": (
        [("a..b.txt", A), (SUMS, listing(("a..b.txt", A)))],
        {},
        dict(ok=True, checked=["a..b.txt"]),
    ),
    "a symbolic link": (
        [("a.txt", A), (SUMS, listing(("a.txt", A)))],
        {"a.txt": {"external_attr": (0o120777 << 16)}},
        dict(ok=False, checked=["a.txt"], problems=["a.txt: a symbolic link"]),
    ),
    "a missing file before a present one": (
        [("b.json", B), GOOD[2]],
        {},
        dict(ok=False, checked=["b.json"], missing=["a.txt"]),
    ),
    "a bad line before good ones": (
        [("a.txt", A), (SUMS, b"not a line\n" + listing(("a.txt", A)))],
        {},
        dict(ok=False, checked=["a.txt"], problems=["SHA256SUMS line 1 is not 'checksum  name'"]),
    ),
    "an encrypted file before a good one": (
        GOOD,
        {"a.txt": {"flag_bits": 0x1}},
        dict(ok=False, checked=["b.json"], changed=["a.txt"], problems=["a.txt: encrypted"]),
    ),
    "a folder entry is ignored": (
        [("docs/", b""), ("a.txt", A), (SUMS, listing(("a.txt", A)))],
        {},
        dict(ok=True, checked=["a.txt"]),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_verification_answer(tmp_path, name):
    entries, attrs, expected = CASES[name]
    result = verify(zip_of(tmp_path / "b.zip", entries, attrs)).to_dict()
    want = {
        "ok": None,
        "checked": [],
        "changed": [],
        "missing": [],
        "extra": [],
        "problems": [],
        "error": None,
        "what_this_proves": bundle_check.HONEST,
    }
    want.update(expected)
    assert result == want


def test_a_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip at all")
    result = verify(path)
    assert result.ok is False and result.error.startswith("not a readable zip file: ")
    assert result.checked == [] and result.problems == []


def test_a_checksum_file_that_is_not_text(tmp_path):
    result = verify(zip_of(tmp_path / "b.zip", [("a.txt", A), (SUMS, b"\xff\xfe\x00")]))
    assert result.ok is False and result.changed == [SUMS]
    assert result.error.startswith("SHA256SUMS is damaged: ")


def test_limits_are_refusals_with_their_reason(tmp_path, monkeypatch):
    path = zip_of(tmp_path / "b.zip", GOOD)
    monkeypatch.setattr(bundle_check, "MAX_ENTRIES", 3)
    assert verify(path).ok  # three entries is within a limit of three
    monkeypatch.setattr(bundle_check, "MAX_ENTRIES", 2)
    refused = verify(path)
    assert (refused.ok, refused.error) == (False, "the bundle has 3 entries (at most 2)")
    monkeypatch.setattr(bundle_check, "MAX_ENTRIES", 10_000)
    size = len(A) + len(B) + len(GOOD[2][1])
    monkeypatch.setattr(bundle_check, "MAX_TOTAL_BYTES", size)
    assert verify(path).ok
    monkeypatch.setattr(bundle_check, "MAX_TOTAL_BYTES", size - 1)
    refused = verify(path)
    assert (refused.ok, refused.error) == (False, "the bundle unpacks to more than 2 GiB")


def test_unexpected_failures_are_named(tmp_path, monkeypatch):
    path = zip_of(tmp_path / "b.zip", GOOD)

    def boom(_path):
        raise MemoryError

    monkeypatch.setattr(bundle_check, "_verify", boom)
    assert verify(path).to_dict()["error"] == "the zip is too large to check"
    assert verify(path).ok is False

    def odd(_path):
        raise KeyError("x")

    monkeypatch.setattr(bundle_check, "_verify", odd)
    result = verify(path)
    assert (result.ok, result.error) == (False, "the zip is damaged (KeyError)")


def _patched(path, name, *, method=None, flip_data=False):
    """The zip with one stored entry's compression method changed in both headers, or one
    byte of its data flipped (so that its CRC fails)."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    local = info.header_offset
    if method is not None:
        raw[local + 8 : local + 10] = method.to_bytes(2, "little")
        at = raw.index(b"PK\x01\x02")
        while raw[at + 46 : at + 46 + len(name)] != name.encode():
            at = raw.index(b"PK\x01\x02", at + 4)
        raw[at + 10 : at + 12] = method.to_bytes(2, "little")
    if flip_data:
        start = local + 30 + int.from_bytes(raw[local + 26 : local + 28], "little")
        start += int.from_bytes(raw[local + 28 : local + 30], "little")
        raw[start] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


def _stored(path, entries):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def test_an_unknown_compression_method_is_named_and_the_next_file_still_checked(tmp_path):
    path = _patched(_stored(tmp_path / "b.zip", GOOD), "a.txt", method=99)
    result = verify(path)
    assert (result.ok, result.checked, result.changed) == (False, ["b.json"], ["a.txt"])
    assert result.problems == ["a.txt: unknown compression method"]


def test_a_damaged_entry_counts_as_changed_and_the_next_file_still_checked(tmp_path):
    path = _patched(_stored(tmp_path / "b.zip", GOOD), "a.txt", flip_data=True)
    result = verify(path)
    assert (result.ok, result.checked, result.changed) == (False, ["b.json"], ["a.txt"])
    assert result.problems == [] and result.error is None


JOURNAL_PROOFS = {
    "no records at all": (
        b'{"proof": {"records": []}}',
        "journal.json: its proof or window cannot be read",
    ),
    "records that are not a list": (
        b'{"proof": {"records": "x"}}',
        "journal.json: its chain proof is missing",
    ),
    "not JSON": (b"{", "journal.json: its chain proof cannot be read"),
    "no proof": (b"{}", "journal.json: its chain proof cannot be read"),
    "a record whose hash does not match": (
        b'{"proof": {"records": [{"prev": "00", "hash": "00", "seq": 1, "time_us": 0,'
        b' "kind": "start", "run": "r", "data": {}}]}}',
        "journal.json: its records do not follow from one another",
    ),
}


@pytest.mark.parametrize("name", list(JOURNAL_PROOFS))
def test_the_journal_chain_is_checked_once_its_checksum_holds(tmp_path, name):
    data, problem = JOURNAL_PROOFS[name]
    entries = [("journal.json", data), (SUMS, listing(("journal.json", data)))]
    result = verify(zip_of(tmp_path / "b.zip", entries))
    assert result.checked == ["journal.json"]
    assert result.problems == ([problem] if problem else [])
    assert result.ok is (problem is None)
