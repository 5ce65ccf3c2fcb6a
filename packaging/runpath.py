"""RUNPATHs that point outside the application folder, found and neutralised.

PyInstaller copies shared libraries as they were built: libpython and many extension modules
carry a DT_RUNPATH (or DT_RPATH) naming the build machine's folders (under root's home here).
When root runs the installed app, the loader would look there first. Each such string is
overwritten in place, in the file's string table, with "$ORIGIN" (the library's own folder,
inside the application) padded with NULs: the ELF stays the same size and shape. A small ELF
reader (64-bit little-endian, what this build makes) instead of patchelf: one less tool.

    python packaging/runpath.py FOLDER [--fix]
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

DT_NULL, DT_STRTAB, DT_RPATH, DT_RUNPATH = 0, 5, 15, 29
PT_LOAD, PT_DYNAMIC = 1, 2


def _entries(data: bytes):
    """(tag, value, offset of the value) of the dynamic section, and the string table's file
    offset; None when not a 64-bit little-endian ELF with one."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads, dynamic = [], None
    for i in range(phnum):
        base = phoff + i * phentsize
        kind, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from("<IIQQQQ", data, base)
        if kind == PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif kind == PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        return None
    entries, strtab = [], None
    for at in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, value = struct.unpack_from("<qQ", data, at)
        if tag == DT_NULL:
            break
        entries.append((tag, value))
        if tag == DT_STRTAB:
            strtab = next(
                (off + value - va for va, off, size in loads if va <= value < va + size), None
            )
    return (entries, strtab) if strtab is not None else None


def runpaths(path: Path) -> list[tuple[int, str]]:
    """(file offset, text) of each RUNPATH/RPATH string of an ELF file."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    found = _entries(data)
    if found is None:
        return []
    entries, strtab = found
    out = []
    for tag, value in entries:
        if tag in (DT_RPATH, DT_RUNPATH):
            start = strtab + value
            end = data.index(b"\0", start)
            out.append((start, data[start:end].decode("utf-8", "replace")))
    return out


def outside(text: str, lib: Path | None = None, root: Path | None = None) -> bool:
    """A search path that can name a folder outside the application: anything but $ORIGIN
    (exactly, or followed by "/"), and, given the library and the application folder, an
    $ORIGIN path that climbs out of it ("$ORIGIN/../.."). "$ORIGINX" is no $ORIGIN at all:
    the loader reads it as a folder relative to the current one."""
    for part in text.split(":"):
        if not part:
            continue
        rest = next(
            (
                part[len(p) :]
                for p in ("$ORIGIN", "${ORIGIN}")
                if part == p or part.startswith(p + "/")
            ),
            None,
        )
        if rest is None:
            return True
        if lib is not None and root is not None:
            target = os.path.normpath(os.path.join(lib.parent, rest.lstrip("/")))
            top = os.path.normpath(root)
            if os.path.commonpath([target, top]) != top:
                return True
    return False


def _outside_here(path: Path, folder: Path) -> list[tuple[int, str]]:
    return [(o, t) for o, t in runpaths(path) if outside(t, path, folder)]


def scan(folder: Path) -> dict[str, list[str]]:
    found = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            bad = _outside_here(p, folder)
            if bad:
                found[str(p.relative_to(folder))] = [t for _o, t in bad]
    return found


def fix(folder: Path) -> int:
    fixed = 0
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.is_symlink():
            continue
        found = _outside_here(p, folder)
        if not found:
            continue
        data = bytearray(p.read_bytes())
        for offset, text in found:
            size = len(text.encode("utf-8"))
            new = b"$ORIGIN"[:size]
            data[offset : offset + size] = new + b"\0" * (size - len(new))
        mode = p.stat().st_mode
        p.chmod(mode | 0o200)
        p.write_bytes(bytes(data))
        p.chmod(mode)
        fixed += 1
    return fixed


if __name__ == "__main__":
    target = Path(sys.argv[1])
    if "--fix" in sys.argv:
        print(f"RUNPATHs outside the folder neutralised in {fix(target)} files")
    left = scan(target)
    for name, texts in left.items():
        print(f"{name}: {', '.join(texts)}")
    sys.exit(1 if left else 0)
