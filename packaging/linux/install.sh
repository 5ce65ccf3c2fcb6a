#!/bin/sh
# Install Clearline for everyone on this machine: the application in /opt/Clearline, owned by
# root (so what runs with administrator rights is code no user can change), the menu entry and
# icon, the polkit actions that name Clearline's capture and journal in the administrator
# prompt, and `clearline` on the PATH. Remove with: sudo ./install.sh --uninstall
#
# Root installs only what root checked: the application is copied from the archive into a
# folder only root can write, every file of the copy is checked against the archive's list of
# SHA-256 sums (MANIFEST.sha256, written when the archive was made), every link against its list
# of links (MANIFEST.links), and only then moved into
# place. A source folder another user can write is refused: unpack the archive as root
# (sudo tar xf ...), or give the archive itself: sudo ./install.sh --archive FILE.tar.gz
#
# DESTDIR (empty by default) puts every path under another root: for packagers, and for the
# tests, which install into a temporary folder instead of this machine's /usr.
set -eu
PREFIX=${PREFIX:-/opt/Clearline}
D=${DESTDIR:-}
if [ "$(id -u)" != 0 ]; then
    echo "Run it as root: sudo ./install.sh" >&2
    exit 1
fi
umask 022   # what is installed is readable by all; the work folder is 0700 (mktemp)
if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$D$PREFIX" "$D/usr/share/applications/clearline.desktop" \
        "$D/usr/share/icons/hicolor/256x256/apps/clearline.png" \
        "$D/usr/share/polkit-1/actions/org.clearline.policy" "$D/usr/local/bin/clearline"
    echo "Clearline removed (your case folders and the journal's records are kept)."
    exit 0
fi
work=$(mktemp -d /var/tmp/clearline-install.XXXXXX)   # root's alone (mode 0700)
trap 'rm -rf "$work"' EXIT
if [ "${1:-}" = "--archive" ]; then
    [ -n "${2:-}" ] || { echo "Which archive? sudo $0 --archive FILE.tar.gz" >&2; exit 1; }
    tar -xzf "$2" -C "$work" --no-same-owner --no-same-permissions
    here=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
else
    here=$(cd "$(dirname "$0")" && pwd -P)
    # Every file and folder of the source must be root's and written by no one else: a user
    # could otherwise change it while root copies it.
    bad=$(find "$here" \( ! -user root -o -perm -0002 -o \( -perm -0020 ! -group root \) \) -print -quit)
    # ... and so must every folder above it (a sticky /tmp is fine): the owner of a folder on
    # the way could swap the whole source for another between this check and the copy.
    up=$here
    while [ "$up" != / ] && [ -z "$bad" ]; do
        up=$(dirname "$up")
        bad=$(find "$up" -maxdepth 0 \( ! -user root -o \( -perm -0002 ! -perm -1000 \) \
            -o \( -perm -0020 ! -group root ! -perm -1000 \) \) -print)
    done
    if [ -n "$bad" ]; then
        echo "Refused: $bad can be changed by a user other than root." >&2
        echo "Unpack the archive as root (sudo tar xf ...), or run: sudo $0 --archive FILE.tar.gz" >&2
        exit 1
    fi
    mkdir "$work/src"
    cp -R "$here/." "$work/src/"
    here="$work/src"
fi
# Check the copy, file by file, against the archive's list; nothing more, nothing less.
( cd "$here/Clearline" && sha256sum --quiet -c ../MANIFEST.sha256 ) || {
    echo "Refused: the copy does not match MANIFEST.sha256." >&2; exit 1; }
listed=$(wc -l < "$here/MANIFEST.sha256")
present=$(cd "$here/Clearline" && find . -type f | wc -l)
if [ "$listed" != "$present" ]; then
    echo "Refused: $present files where MANIFEST.sha256 lists $listed." >&2
    exit 1
fi
# Every link as the archive's list names it (where it is and what it points to): a link the
# list does not hold, or one pointing elsewhere, could make the app load another of its files.
[ -f "$here/MANIFEST.links" ] || { echo "Refused: MANIFEST.links is missing." >&2; exit 1; }
links=$(cd "$here/Clearline" && find . -type l -printf '%p -> %l\n' | LC_ALL=C sort)
expected=$(LC_ALL=C sort "$here/MANIFEST.links")
if [ "$links" != "$expected" ]; then
    echo "Refused: the copy's links do not match MANIFEST.links." >&2
    exit 1
fi
# Links stay inside the application; nothing but files, folders and links.
odd=$(cd "$here/Clearline" && find . \( \( -type l \( -lname '/*' -o -lname '*..*' \) \) -o \
    \( ! -type f ! -type d ! -type l \) \) -print -quit)
if [ -n "$odd" ]; then
    echo "Refused: $odd is a link out of the application, or not a file." >&2
    exit 1
fi
chown -R root:root "$here"
chmod -R go-w,a+rX "$here/Clearline"
mkdir -p "$(dirname "$D$PREFIX")"
rm -rf "$D$PREFIX.new"
cp -R "$here/Clearline" "$D$PREFIX.new"   # same filesystem as the target: the last step is a rename
rm -rf "$D$PREFIX"
mv "$D$PREFIX.new" "$D$PREFIX"
install -D -m 644 "$here/clearline.png" "$D/usr/share/icons/hicolor/256x256/apps/clearline.png"
mkdir -p "$D/usr/share/applications" "$D/usr/share/polkit-1/actions" "$D/usr/local/bin"
sed "s#@PREFIX@#$PREFIX#g" "$here/clearline.desktop.in" > "$D/usr/share/applications/clearline.desktop"
sed "s#@PREFIX@#$PREFIX#g" "$here/org.clearline.policy.in" > "$D/usr/share/polkit-1/actions/org.clearline.policy"
chmod 644 "$D/usr/share/applications/clearline.desktop" "$D/usr/share/polkit-1/actions/org.clearline.policy"
ln -sf "$PREFIX/Clearline" "$D/usr/local/bin/clearline"
echo "Clearline is installed in $PREFIX. Start it from the menu, or run: clearline"
