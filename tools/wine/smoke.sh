#!/bin/bash
# Smoke test of the Windows build (made by `make dist-windows`) under Wine: every command's
# --help, then a case from a notice to a verified bundle, as a support person would type it.
#   tools/wine/smoke.sh [DIST_FOLDER]      (default build/wine/dist/Clearline)
# Each step prints its exit code; a failing step shows its stderr and the crash log it names.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
APP=${1:-$ROOT/build/wine/dist/Clearline}/clearline-cli.exe
WORK=$ROOT/build/wine/smoke
rm -rf "$WORK" && mkdir -p "$WORK"
failed=0

# step NAME MAX_OK_EXIT ARGS... : stdout goes to $WORK/NAME.out. An internal error (a crash
# log named on stderr) fails a step whatever its exit code.
step() {
    local name=$1 max=$2
    shift 2
    "$HERE/run.sh" "$APP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    local code=$? note=""
    # Clearline never fails silently (a usage error or a crash log goes to stderr); a failing
    # run that printed nothing at all is Wine's (seen once under load, for a --help): once more.
    if [ "$code" -ne 0 ] && [ ! -s "$WORK/$name.out" ] && [ ! -s "$WORK/$name.err" ]; then
        note=" (run twice: the first run, exit $code, printed nothing)"
        "$HERE/run.sh" "$APP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
        code=$?
    fi
    if [ "$code" -le "$max" ] && ! grep -aq 'crash-[0-9-]*\.log' "$WORK/$name.err"; then
        echo "ok    $name (exit $code)$note"
    else
        failed=1
        echo "FAIL  $name (exit $code): clearline-cli $*"
        sed 's/^/      /' "$WORK/$name.err"
        # run_guarded names a crash log (a Windows path in the prefix): show its traceback.
        log=$(grep -ao '[A-Z]:\\[^ ]*crash-[0-9-]*\.log' "$WORK/$name.err" | head -1)
        if [ -n "$log" ]; then
            unix=$(WINEPREFIX=$ROOT/build/wine/prefix winepath -u "$log" 2>/dev/null)
            [ -f "$unix" ] && sed 's/^/      | /' "$unix"
        fi
    fi
}

step help 0 --help
for cmd in audit notice details letter bundle capture analyze diagnose verify journal; do
    step "help-$cmd" 0 "$cmd" --help
done
for action in run verify install uninstall status; do
    step "help-journal-$action" 0 journal "$action" --help
done

# Needs Npcap and administrator rights, which Wine has not: a clear refusal is the pass.
step capture 255 capture --seconds 1
step audit 2 audit --only SMTP-OUT,FW-STATUS --json
case_dir=$WORK/case
# notice, audit: 0-2 say what was found (the exit code contract); 3 and up are errors.
step notice 2 notice "$ROOT/tests/data/notices/notice_ja.txt" --case "$case_dir"
step details 0 details --case "$case_dir" --name "山田太郎" --provider "Example ISP" --done scan --done password
step letter 0 letter --case "$case_dir" --lang ja
step bundle 0 bundle --case "$case_dir" --out "$WORK/evidence.zip"
step verify 0 verify "$WORK/evidence.zip"
# The commands that --help alone never imports in the frozen app: analyze (a one-SYN capture
# written here), diagnose (which also tells whether the app really runs in UTF-8 mode: the spec's
# bootloader option, bug 1 of issue 31), and the journal's status and install plan.
python3 - "$WORK/one.pcap" <<'PCAP'
import socket, struct, sys
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0,
                 socket.inet_aton("192.168.1.5"), socket.inet_aton("198.51.100.1"))
tcp = struct.pack("!HHIIBBHHH", 50000, 25, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    out.write(struct.pack("<IIII", 1763600000, 0, len(frame), len(frame)) + frame)
PCAP
step analyze 2 analyze "$WORK/one.pcap" --json
step diagnose 0 diagnose --out "$WORK/diagnose.json"
step journal-status 3 journal status
step journal-install-plan 3 journal install --dry-run
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1],encoding="utf-8")); s=json.dumps(d); sys.exit(0 if "\"preferred_encoding\": \"utf-8\"" in s.lower() else 1)' "$WORK/diagnose.json" 2>/dev/null; then
    echo "ok    the frozen app runs in UTF-8 mode (diagnose: preferred encoding utf-8)"
else
    failed=1
    echo "FAIL  the frozen app is not in UTF-8 mode: see $WORK/diagnose.json"
fi
if grep -q '"TRAFFIC-SMTP"' "$WORK/analyze.out" 2>/dev/null; then
    echo "ok    analyze read the capture and judged it (TRAFFIC-SMTP)"
else
    failed=1
    echo "FAIL  analyze gave no TRAFFIC-SMTP result: $WORK/analyze.out"
fi
# The window: Clearline.exe (no console) starts, draws its first page offscreen and saves it.
shot=$WORK/window.png
wshot=$(WINEPREFIX=$ROOT/build/wine/prefix winepath -w "$shot" 2>/dev/null)
CLEARLINE_SCREENSHOT=$wshot timeout 180 "$HERE/run.sh" "${APP%/*}/Clearline.exe" \
    >"$WORK/window.out" 2>"$WORK/window.err"
code=$?
if [ "$code" = 0 ] && [ "$(stat -c %s "$shot" 2>/dev/null || echo 0)" -gt 20000 ]; then
    echo "ok    window (Clearline.exe drew its first page: $(stat -c %s "$shot") bytes of PNG)"
else
    failed=1
    echo "FAIL  window (exit $code; screenshot $(stat -c %s "$shot" 2>/dev/null || echo missing))"
    sed 's/^/      /' "$WORK/window.err"
fi
if grep -q "山田太郎" "$WORK/letter.out" 2>/dev/null; then
    echo "ok    the Japanese letter, redirected to a file, is UTF-8 and names the user"
else
    failed=1
    echo "FAIL  the letter file does not hold the name in UTF-8: $WORK/letter.out"
fi
exit $failed
