#!/bin/bash
# Runs a Windows program under Wine in the harness prefix (set up by tools/wine/setup.sh):
#   tools/wine/run.sh python -m pytest tests/unit       the Windows CPython
#   tools/wine/run.sh dist-windows/Clearline/clearline-cli.exe --help
# CLEARLINE_WINE_DIR overrides build/wine. Exit status is the program's.
set -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WINE_DIR=${CLEARLINE_WINE_DIR:-$HERE/../../build/wine}
WINE_DIR=$(cd "$WINE_DIR" && pwd) || exit 2
export WINEPREFIX="$WINE_DIR/prefix"
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko prompt: nothing here needs .NET or a browser engine.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}

prog=$1
shift
[ "$prog" = python ] && prog="$WINE_DIR/python/python.exe"

# Workaround (a): a Wine console program whose stdout or stderr is a regular file gets an
# invalid handle (CPython then dies in init_sys_streams), so both go through pipes, even when
# the caller redirects them to a file. fd 3 carries stdout around the stderr pipe.
{ wine "$prog" "$@" 2>&1 1>&3 3>&- | cat >&2; } 3>&1 | cat
