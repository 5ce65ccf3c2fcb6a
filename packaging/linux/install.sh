#!/bin/sh
# Install Clearline for everyone on this machine: the application in /opt/Clearline, owned by
# root (so what runs with administrator rights is code no user can change), the menu entry and
# icon, the polkit action that names Clearline in the administrator prompt, and `clearline` on
# the PATH. Remove with: sudo ./install.sh --uninstall
set -eu
PREFIX=${PREFIX:-/opt/Clearline}
if [ "$(id -u)" != 0 ]; then
    echo "Run it as root: sudo ./install.sh" >&2
    exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$PREFIX" /usr/share/applications/clearline.desktop \
        /usr/share/icons/hicolor/256x256/apps/clearline.png \
        /usr/share/polkit-1/actions/org.clearline.policy /usr/local/bin/clearline
    echo "Clearline removed (your case folders and the journal's records are kept)."
    exit 0
fi
rm -rf "$PREFIX.new"
cp -a "$here/Clearline" "$PREFIX.new"
chown -R root:root "$PREFIX.new"
chmod -R go-w "$PREFIX.new"
rm -rf "$PREFIX"
mv "$PREFIX.new" "$PREFIX"
install -D -m 644 "$here/clearline.png" /usr/share/icons/hicolor/256x256/apps/clearline.png
mkdir -p /usr/share/applications /usr/share/polkit-1/actions /usr/local/bin
sed "s#@PREFIX@#$PREFIX#g" "$here/clearline.desktop.in" > /usr/share/applications/clearline.desktop
sed "s#@PREFIX@#$PREFIX#g" "$here/org.clearline.policy.in" > /usr/share/polkit-1/actions/org.clearline.policy
ln -sf "$PREFIX/Clearline" /usr/local/bin/clearline
echo "Clearline is installed in $PREFIX. Start it from the menu, or run: clearline"
