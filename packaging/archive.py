"""The release archive beside the built folder: dist/Clearline-<version>-linux-x86_64.tar.gz,
holding Clearline/ (the application), install.sh, the menu entry, the icon, the polkit action
and a short README.

    python packaging/archive.py [DIST]"""

from __future__ import annotations

import platform
import sys
import tarfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

README = """Clearline {version}

Run it from here:      ./Clearline/Clearline            (the window)
                       ./Clearline/Clearline --help     (the commands, for support staff)
Install it for everyone on this PC (menu entry, `clearline` command, administrator prompt
named for Clearline), from the archive itself:  sudo ./install.sh --archive THIS.tar.gz
(or unpack it as root first: sudo tar xzf THIS.tar.gz; sudo ./install.sh)
Remove it:             sudo ./install.sh --uninstall

Nothing else is needed: no Python, no set-up. The capture and the journal ask for the
administrator password when they start.
"""


def version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as fp:
        return tomllib.load(fp)["project"]["version"]


def build(dist: Path) -> Path:
    app = dist / "Clearline"
    if not (app / "Clearline").exists():
        raise SystemExit(f"no built application in {app}: run `make dist`")
    name = f"Clearline-{version()}-linux-{platform.machine()}"
    out = dist / f"{name}.tar.gz"
    linux = ROOT / "packaging/linux"
    readme = dist / "README.txt"
    readme.write_text(README.format(version=version()), encoding="utf-8")
    # Libraries copied with the build machine's search paths: none may point outside the app.
    sys.path.insert(0, str(ROOT / "packaging"))
    import runpath

    runpath.fix(app)
    manifest = dist / "MANIFEST.sha256"
    manifest.write_text(_manifest(app), encoding="utf-8")
    links = dist / "MANIFEST.links"
    links.write_text(manifest_links(app), encoding="utf-8")

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(out, "w:gz", compresslevel=9) as tar:
        tar.add(app, f"{name}/Clearline", filter=owned_by_root)
        for path, arcname in (
            (linux / "install.sh", "install.sh"),
            (linux / "clearline.desktop.in", "clearline.desktop.in"),
            (linux / "org.clearline.policy.in", "org.clearline.policy.in"),
            (ROOT / "packaging/clearline.png", "clearline.png"),
            (readme, "README.txt"),
            (manifest, "MANIFEST.sha256"),
            (links, "MANIFEST.links"),
        ):
            tar.add(path, f"{name}/{arcname}", filter=owned_by_root)
    readme.unlink()
    manifest.unlink()
    links.unlink()
    return out


def _manifest(app: Path) -> str:
    """`sha256sum` lines for every file of the application (what install.sh checks)."""
    import hashlib

    lines = []
    for path in sorted(p for p in app.rglob("*") if p.is_file() and not p.is_symlink()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  ./{path.relative_to(app).as_posix()}")
    return "\n".join(lines) + "\n"


def manifest_links(app: Path) -> str:
    """Every link of the application as install.sh lists them (`./where -> target`)."""
    import os

    lines = [
        f"./{p.relative_to(app).as_posix()} -> {os.readlink(p)}"
        for p in app.rglob("*")
        if p.is_symlink()
    ]
    return "".join(f"{line}\n" for line in sorted(lines, key=lambda t: t.encode()))


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist")
    print(f"{target} ({target.stat().st_size / 1e6:.1f} MB)")
