"""CLOCK-SYNC: is the clock synchronised? Timestamps in the evidence are only as good as it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from checks import catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_, _
from checks.model import CheckSpec, Result, Status, current_platform
from checks.updates import parse_iso

TITLE = N_("Clock synchronisation")
MAX_OFFSET_S = 1.0
STALE_SYNC_DAYS = 7


SUMMARIES = {
    "synchronised": N_("The clock is synchronised with network time."),
    "not_synchronised": N_("The clock is not synchronised with network time."),
    "chrony_synchronised": N_("The clock is synchronised with network time (chrony)."),
    "chrony_not_synchronised": N_("The clock is not synchronised with network time (chrony)."),
    "ntpd_synchronised": N_("The clock is synchronised with network time (ntpd)."),
    "ntpd_no_server": N_("ntpd has not chosen a time server yet."),
    "could_not_tell": N_("We could not tell whether the clock is synchronised: {reason}."),
    "windows_unreadable": N_("We could not read the Windows Time settings."),
    "windows_nosync": N_("Windows is set not to synchronise its clock."),
    "windows_no_sync_record": N_(
        "We found no record that Windows synchronised the clock (neither the Windows Time"
        " service's log nor its scheduled task shows a successful sync)."
    ),
    "last_sync_days": N_("The clock was last synchronised {days} days ago."),
    "windows_synchronised": N_("The clock is synchronised with {server}."),
    "macos_needs_admin": N_("Reading the time settings needs administrator rights."),
    "macos_unreadable": N_("We could not read the macOS time settings."),
    "macos_automatic": N_("macOS sets its clock automatically from network time."),
    "macos_manual": N_("macOS does not set its clock automatically."),
}
ADVICE = {
    "linux_ntp": N_("Turn on network time: sudo timedatectl set-ntp true (or install chrony)."),
    "compare": N_(
        "Compare the clock with a trusted time source before relying on the times in the report."
    ),
    "windows_sync": N_(
        'Open Settings > Time & language > Date & time, turn on "Set time automatically" and click "Sync now".'
    ),
    "rerun_admin": N_("Run the check again as administrator."),
    "macos_automatic": N_(
        'Turn on "Set time and date automatically" in System Settings > General > Date & Time.'
    ),
}
# Why the clock's state could not be told, worded at the edge.
UNKNOWN_WHY = {
    "no_answer": N_("no time service answered"),
    "no_tool": N_("no time tool is installed (timedatectl, chronyc or ntpq)"),
    "no_systemd": N_(
        "timedatectl could not ask systemd (this system was not started by systemd; PID 1 is {pid1})"
    ),
}


def _prepare(params: dict[str, Any]) -> dict[str, Any]:
    why = params.get("why")
    if why in UNKNOWN_WHY:
        params["reason"] = _(UNKNOWN_WHY[why]).format(pid1=params.get("pid1") or "…")
    return params


wording.register(wording.Phrasebook({"CLOCK-SYNC": TITLE}, SUMMARIES, ADVICE, _prepare))


def _result(status, reason, advice=(), params=None, **facts) -> Result:
    return Result("CLOCK-SYNC", status, reason, params or {}, tuple(advice), facts)


def _advice_linux():
    return ["linux_ntp"]


def interpret_linux(facts: dict[str, Any]) -> Result:
    tried = []
    td = facts.get("timedatectl")
    if td:
        tried.append("timedatectl")
        values = dict(re.findall(r"^(\w+)=(.*)$", td.get("stdout") or "", re.M))
        if td.get("returncode") == 0 and "NTPSynchronized" in values:
            out = {
                "source": "timedatectl",
                "ntp_enabled": values.get("NTP") == "yes",
                "timezone": values.get("Timezone"),
            }
            if values["NTPSynchronized"] == "yes":
                return _result(Status.PASS, "synchronised", **out)
            return _result(Status.WARN, "not_synchronised", _advice_linux(), **out)
    ch = facts.get("chronyc")
    if ch:
        tried.append("chronyc")
        text = ch.get("stdout") or ""
        leap = re.search(r"^Leap status\s*:\s*(.+)$", text, re.M)
        offset = re.search(r"^System time\s*:\s*([\d.]+) seconds (fast|slow)", text, re.M)
        if ch.get("returncode") == 0 and leap:
            seconds = float(offset.group(1)) if offset else None
            out = {"source": "chronyc", "leap_status": leap.group(1).strip(), "offset_s": seconds}
            if leap.group(1).strip() == "Normal" and (seconds is None or seconds < MAX_OFFSET_S):
                return _result(Status.PASS, "chrony_synchronised", **out)
            return _result(Status.WARN, "chrony_not_synchronised", _advice_linux(), **out)
    nq = facts.get("ntpq")
    if nq:
        tried.append("ntpq")
        if nq.get("returncode") == 0:
            selected = [ln for ln in (nq.get("stdout") or "").splitlines() if ln.startswith("*")]
            if selected:
                return _result(Status.PASS, "ntpd_synchronised", source="ntpq")
            return _result(Status.WARN, "ntpd_no_server", _advice_linux(), source="ntpq")
    why = "no_answer"
    if not tried:
        why = "no_tool"
    elif td and not facts.get("chronyc") and not facts.get("ntpq"):
        why = "no_systemd"
    return _result(
        Status.UNKNOWN,
        "could_not_tell",
        ["compare"],
        {"why": why, "pid1": facts.get("pid1")},
        tried=tried,
        pid1=facts.get("pid1"),
    )


def interpret_windows(facts: dict[str, Any], now: datetime) -> Result:
    t = facts.get("time") if not facts.get("problem") else None
    if not t:
        return _result(
            Status.UNKNOWN,
            "windows_unreadable",
            error=(facts.get("errors") or {}).get("time"),
        )
    out = {
        "service": t.get("service_status"),
        "type": t.get("type"),
        "server": t.get("ntp_server"),
        "last_sync_event": t.get("last_sync_event"),
    }
    out["sync_task_last_run"] = t.get("sync_task_last_run")
    out["sync_task_result"] = t.get("sync_task_result")
    advice = ["windows_sync"]
    if t.get("type") == "NoSync":
        return _result(Status.WARN, "windows_nosync", advice, **out)
    # The last successful sync: a Time-Service event, or the SynchronizeTime task's last run
    # when it succeeded (result 0). The service's own state says nothing: it is "Manual
    # (trigger start)" and stopped between syncs on most home PCs.
    times = [parse_iso(t.get("last_sync_event"))]
    if t.get("sync_task_result") == 0:
        times.append(parse_iso(t.get("sync_task_last_run")))
    last = max((x for x in times if x is not None), default=None)
    if last is None:
        return _result(Status.UNKNOWN, "windows_no_sync_record", advice, **out)
    days = (now - last).days
    if days > STALE_SYNC_DAYS:
        return _result(Status.WARN, "last_sync_days", advice, {"days": days}, **out)
    server = (t.get("ntp_server") or "").split(",")[0] or "NTP"
    return _result(Status.PASS, "windows_synchronised", (), {"server": server}, **out)


def interpret_macos(facts: dict[str, Any]) -> Result:
    ss = facts["systemsetup"]
    text = (ss.get("stdout") or "") + (ss.get("stderr") or "")
    if "administrator" in text.lower() or ss.get("problem") == "denied":
        return _result(Status.UNKNOWN, "macos_needs_admin", ["rerun_admin"])
    m = re.search(r"Network Time: (On|Off)", text)
    if not m:
        return _result(Status.UNKNOWN, "macos_unreadable", systemsetup=ss)
    if m.group(1) == "On":
        return _result(Status.PASS, "macos_automatic", network_time=True)
    return _result(Status.WARN, "macos_manual", ["macos_automatic"], network_time=False)


def run(ctx: CheckContext) -> Result:
    platform = current_platform()
    if platform == "windows":
        from datetime import UTC

        from checks.probes import windows

        return interpret_windows(windows.facts(ctx), datetime.now(UTC))
    if platform == "macos":
        from checks.probes import macos

        return interpret_macos(macos.clock_facts(ctx))
    from checks.probes import linux

    return interpret_linux(linux.clock_facts(ctx))


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (catalogue.Entry("CLOCK-SYNC", __name__, catalogue.AUDIT, catalogue.CONTEXT, order=90),)

SPECS = (CheckSpec("CLOCK-SYNC", TITLE, run, timeout=150.0),)
