"""When was this PC on? Boot, shutdown, crash, sleep and wake events from the OS's own logs,
as plain (time, kind) records in UTC."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

from checks.context import CheckContext
from checks.probes.command import macos_tool, run

BOOT, SHUTDOWN, CRASH, SLEEP, WAKE = "boot", "shutdown", "crash", "sleep", "wake"
UTC_ENV = {"TZ": "UTC", "LC_ALL": "C", "LANG": "C"}


def _event(when: datetime, kind: str, source: str) -> dict[str, str]:
    return {"time": when.astimezone(UTC).isoformat(), "kind": kind, "source": source}


# --- Linux ------------------------------------------------------------------------------------


def parse_list_boots_json(text: str) -> list[dict[str, str]]:
    events = []
    try:
        boots = json.loads(text)
    except ValueError:
        return events
    boots = sorted(boots, key=lambda b: b.get("index", 0))
    for i, boot in enumerate(boots):
        first, last = boot.get("first_entry"), boot.get("last_entry")
        if first:
            events.append(_event(datetime.fromtimestamp(first / 1e6, UTC), BOOT, "journal"))
        if last and i < len(boots) - 1:  # the current boot has not ended
            events.append(
                _event(datetime.fromtimestamp(last / 1e6, UTC), SHUTDOWN, "journal (last entry)")
            )
    return events


_LAST_LINE = re.compile(
    r"^(reboot|shutdown)\s+system (?:boot|down)\s+\S+\s+"
    r"(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})"
    r"(?:\s+-\s+(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}|crash|down|still running))?",
    re.M,
)


def parse_last_x(text: str) -> list[dict[str, str]]:
    """`last -x -F` run with TZ=UTC (util-linux)."""
    events = []
    for m in _LAST_LINE.finditer(text):
        what, start, _end = m.groups()
        try:
            t0 = datetime.strptime(" ".join(start.split()), "%a %b %d %H:%M:%S %Y").replace(
                tzinfo=UTC
            )
        except ValueError:
            continue
        if what == "reboot":
            # A session that ended in "crash" has no end time; the next boot shows it ended.
            events.append(_event(t0, BOOT, "wtmp"))
        else:
            events.append(_event(t0, SHUTDOWN, "wtmp"))
    return events


def parse_sleep_journal(text: str) -> list[dict[str, str]]:
    events = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        message = str(entry.get("MESSAGE", ""))
        stamp = entry.get("__REALTIME_TIMESTAMP")
        if not stamp:
            continue
        when = datetime.fromtimestamp(int(stamp) / 1e6, UTC)
        if message.startswith("Entering sleep state") or "Suspending system" in message:
            events.append(_event(when, SLEEP, "journal"))
        elif message.startswith("System returned from sleep") or "System resumed" in message:
            events.append(_event(when, WAKE, "journal"))
    return events


def linux_events(ctx: CheckContext) -> dict[str, Any]:
    env = dict(os.environ, **UTC_ENV)
    facts: dict[str, Any] = {"events": [], "sources": {}}
    if shutil.which("journalctl"):
        boots = run(
            ["journalctl", "--list-boots", "-o", "json", "--no-pager"], ctx, timeout=30, env=env
        )
        facts["sources"]["journalctl --list-boots"] = boots.problem or (
            boots.stderr.strip()[:200] if boots.returncode else "ok"
        )
        if boots.ok and boots.returncode == 0:
            facts["events"] += parse_list_boots_json(boots.stdout)
            sleeps = run(
                ["journalctl", "-q", "-o", "json", "--no-pager", "-t", "systemd-sleep"],
                ctx,
                timeout=30,
                env=env,
            )
            if sleeps.ok:
                facts["events"] += parse_sleep_journal(sleeps.stdout)
    if shutil.which("last"):
        last = run(["last", "-x", "-F", "reboot", "shutdown"], ctx, timeout=30, env=env)
        facts["sources"]["last -x"] = last.problem or (
            last.stderr.strip()[:200] if last.returncode else "ok"
        )
        if last.ok and last.returncode == 0:
            facts["events"] += parse_last_x(last.stdout)
    return facts


# --- Windows ----------------------------------------------------------------------------------

WINDOWS_EVENTS = {
    6005: BOOT,
    6006: SHUTDOWN,
    1074: SHUTDOWN,
    6008: CRASH,
    41: CRASH,
    42: SLEEP,
    107: WAKE,
    1: WAKE,
}
_PS = r"""
$ErrorActionPreference = 'Stop'
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch {}
$since = (Get-Date).AddDays(-60)
$events = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; Id = 6005,6006,6008,1074,41,42,107,1; StartTime = $since } -ErrorAction SilentlyContinue |
  Where-Object { $_.Id -ne 1 -or $_.ProviderName -eq 'Microsoft-Windows-Power-Troubleshooter' } |
  ForEach-Object { [ordered]@{ id = $_.Id; provider = $_.ProviderName; time = $_.TimeCreated.ToUniversalTime().ToString('o') } })
ConvertTo-Json -InputObject @{ events = $events } -Depth 4 -Compress
"""


def parse_windows_events(data: dict[str, Any]) -> list[dict[str, str]]:
    """Boot, shutdown, sleep and crash records from the System log.

    Event 6008 ("the previous system shutdown was unexpected") is written at the next start,
    after 6005: its own time is not the crash. The crash happened before the boot it follows,
    at a time the log does not give in a language-independent form, so it is placed just
    before that boot: the session it ended reads "unknown", the next session is not touched."""
    parsed: list[tuple[datetime, int]] = []
    raw = data.get("events") or []
    for e in raw if isinstance(raw, list) else [raw]:
        if not isinstance(e, dict):
            continue
        try:
            event_id = int(e.get("id", -1))
            when = datetime.fromisoformat(str(e.get("time")).replace("Z", "+00:00"))
        except (TypeError, ValueError):
            continue
        parsed.append((when if when.tzinfo else when.replace(tzinfo=UTC), event_id))
    parsed.sort()
    events = []
    for when, event_id in parsed:
        kind = WINDOWS_EVENTS.get(event_id)
        if not kind:
            continue
        if event_id == 6008:
            boots = [t for t, i in parsed if i == 6005 and t <= when]
            if boots:
                when = max(boots) - timedelta(seconds=1)
        events.append(_event(when, kind, f"System log {event_id}"))
    return sorted(events, key=lambda e: e["time"])


def windows_events(ctx: CheckContext) -> dict[str, Any]:
    from checks.probes.windows import powershell, powershell_command, script_input

    exe = powershell()
    if exe is None:
        return {"events": [], "sources": {"System log": "missing"}}
    out = run(powershell_command(exe), ctx, timeout=60, stdin=script_input(_PS))
    if not out.ok:
        return {"events": [], "sources": {"System log": out.problem}}
    try:
        data = json.loads(out.stdout.strip().lstrip("\ufeff"))
    except ValueError:
        return {"events": [], "sources": {"System log": "unreadable"}}
    return {"events": parse_windows_events(data), "sources": {"System log": "ok"}}


# --- macOS ------------------------------------------------------------------------------------

# The domain column is a name padded with spaces and ended by a tab: match the whole column, so
# that "Wake Requests" (scheduled wakes, written a second after every Sleep) or "WakeDetails"
# are never read as a wake.
_PMSET = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}) (Sleep|Wake|DarkWake|Start|Shutdown) *\t",
    re.M,
)


def parse_pmset_log(text: str) -> list[dict[str, str]]:
    """Sleep, wake and start records from `pmset -g log`. powerd writes no shutdown line: a
    Start after anything but a Sleep means the Mac went off at a time the log does not show, so
    the session before it ends in a gap (read as unknown), never as "on"."""
    kinds = {"Sleep": SLEEP, "Wake": WAKE, "DarkWake": WAKE, "Start": BOOT, "Shutdown": SHUTDOWN}
    events = []
    previous = None
    for m in _PMSET.finditer(text):
        when = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S %z")
        kind = kinds[m.group(2)]
        if kind == BOOT and previous not in (None, SLEEP, SHUTDOWN):
            events.append(_event(when - timedelta(seconds=1), CRASH, "pmset -g log (gap)"))
        events.append(_event(when, kind, "pmset -g log"))
        previous = kind
    return events


def macos_events(ctx: CheckContext) -> dict[str, Any]:
    out = run([macos_tool("pmset"), "-g", "log"], ctx, timeout=60)
    if not out.ok:
        return {"events": [], "sources": {"pmset -g log": out.problem}}
    return {"events": parse_pmset_log(out.stdout), "sources": {"pmset -g log": "ok"}}
