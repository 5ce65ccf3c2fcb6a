"""macOS facts for the host checks: plain data, no judgement."""

from __future__ import annotations

import os
import plistlib
import time
from typing import Any

from checks.context import CheckContext
from checks.probes.command import macos_tool, run
from checks.probes.linux import command_facts

XPROTECT_PLISTS = (
    # macOS 15 updates XProtect in here; the older places keep the version it shipped with.
    "/var/protected/xprotect/XProtect.bundle/Contents/Info.plist",
    "/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist",
    "/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist",
)
SOCKETFILTERFW = "/usr/libexec/ApplicationFirewall/socketfilterfw"


def sw_vers(ctx: CheckContext) -> dict[str, Any]:
    out = run([macos_tool("sw_vers")], ctx, timeout=10)
    return command_facts(out)


def update_facts(ctx: CheckContext) -> dict[str, Any]:
    # --no-scan lists what the last scan found: asking Apple's servers again is a lookup that
    # leaves the machine, which only happens when the user allowed network lookups.
    argv = [macos_tool("softwareupdate"), "-l"] + ([] if ctx.options.network else ["--no-scan"])
    listing = run(argv, ctx, timeout=300 if ctx.options.network else 60)
    last = run(
        [
            "/usr/bin/defaults",
            "read",
            "/Library/Preferences/com.apple.SoftwareUpdate",
            "LastSuccessfulDate",
        ],
        ctx,
        timeout=10,
    )
    return {
        "softwareupdate": command_facts(listing),
        "last_successful_date": last.stdout.strip() if last.ok and last.returncode == 0 else None,
        "scanned_now": bool(ctx.options.network),
        "installed_version": _product_version(ctx),
        "now": time.time(),
    }


def _product_version(ctx: CheckContext) -> str | None:
    out = run([macos_tool("sw_vers"), "-productVersion"], ctx, timeout=10)
    return out.stdout.strip() or None if out.ok and out.returncode == 0 else None


def xprotect_facts() -> dict[str, Any]:
    for path in XPROTECT_PLISTS:
        try:
            with open(path, "rb") as fp:
                info = plistlib.load(fp)
            return {
                "path": path,
                "version": info.get("CFBundleShortVersionString") or info.get("CFBundleVersion"),
                "modified": os.stat(path).st_mtime,
                "now": time.time(),
            }
        except (OSError, plistlib.InvalidFileException, ValueError):
            continue
    return {"path": None, "now": time.time()}


def firewall_facts(ctx: CheckContext) -> dict[str, Any]:
    return {
        "global": command_facts(run([SOCKETFILTERFW, "--getglobalstate"], ctx, timeout=10)),
        "stealth": command_facts(run([SOCKETFILTERFW, "--getstealthmode"], ctx, timeout=10)),
    }


def clock_facts(ctx: CheckContext) -> dict[str, Any]:
    return {
        "systemsetup": command_facts(
            run([macos_tool("systemsetup"), "-getusingnetworktime"], ctx, timeout=10)
        )
    }
