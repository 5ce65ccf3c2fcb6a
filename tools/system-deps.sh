#!/bin/sh
# The Debian/Ubuntu packages Clearline and its tests need: installed when missing and running as
# root; otherwise listed, and the tests that need them skip with the reason.
#   libpcap0.8            capture filters (scapy compiles BPF with it); analyze filters files
#                         with it before Python reads them (checks/prefilter.py)
#   fonts-ipafont-gothic  Japanese text in the window, screenshots and PDF
#   libgl1 ... libdbus    the Qt runtime (PySide6 wheels link against them)
#   libxcb-* libx11-xcb1  Qt's X11 platform plugin, for a real window (and Xvfb screenshots)
#   xvfb                  a virtual screen for screenshot tests
#   poppler-utils         pdftotext, to check the text of the PDF report in tests
#   unzip zip libarchive-tools  independent zip readers and writers (unzip, zip, bsdtar) that verify's answers
#                         are checked against
#   binutils              readelf, to read back the packaged libraries' RUNPATHs
#   locales               the ja_JP.UTF-8 locale (generated below), to test that a Japanese PC's
#                         C locale never reaches an English letter
#   python3-venv          only when this Python lacks ensurepip (Debian's own python3)
PKGS="libpcap0.8 fonts-ipafont-gothic libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1
libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xkb1 libx11-xcb1 xvfb poppler-utils
unzip zip libarchive-tools binutils locales"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "system-deps: not a Debian-like system; make sure the equivalents of these are installed:"
    echo "  $PKGS" | tr '\n' ' '; echo
    exit 0
fi
# Extra packages named on the command line (e.g. `make bench` adds tcpdump and tshark).
PKGS="$PKGS $*"
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
    PKGS="$PKGS python3-venv"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
ja_locale() {
    # A Japanese PC's locale, for the tests that run under it; generated once, as root.
    locale -a 2>/dev/null | grep -qi '^ja_JP\.utf-\?8$' && return 0
    [ "$(id -u)" = 0 ] && [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null || return 0
    echo "system-deps: generating the ja_JP.UTF-8 locale"
    sed -i 's/^# *\(ja_JP.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen || echo 'ja_JP.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null
}
[ -z "$missing" ] && { ja_locale; exit 0; }
if [ "$(id -u)" = 0 ]; then
    echo "system-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || echo "system-deps: apt-get failed; tests that need$missing will be skipped"
    ja_locale
else
    echo "system-deps: missing Debian packages:$missing"
    echo "  install them with: sudo apt-get install$missing"
    echo "  (tests that need them are skipped with the reason)"
fi
exit 0
