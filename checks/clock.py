"""CLOCK-SYNC: is the clock synchronised? Timestamps in the evidence are only as good as it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from checks.context import CheckContext
from checks.i18n import N_, _
from checks.model import CheckSpec, Result, Status, current_platform
from checks.updates import parse_iso

TITLE = N_("Clock synchronisation")
MAX_OFFSET_S = 1.0
STALE_SYNC_DAYS = 7


def _result(status, summary, advice=(), **facts) -> Result:
    return Result("CLOCK-SYNC", status, _(TITLE), summary, tuple(advice), facts)


def _advice_linux():
    return [_("Turn on network time: sudo timedatectl set-ntp true (or install chrony).")]


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
                return _result(
                    Status.PASS, _("The clock is synchronised with network time."), **out
                )
            return _result(
                Status.WARN,
                _("The clock is not synchronised with network time."),
                _advice_linux(),
                **out,
            )
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
                return _result(
                    Status.PASS, _("The clock is synchronised with network time (chrony)."), **out
                )
            return _result(
                Status.WARN,
                _("The clock is not synchronised with network time (chrony)."),
                _advice_linux(),
                **out,
            )
    nq = facts.get("ntpq")
    if nq:
        tried.append("ntpq")
        if nq.get("returncode") == 0:
            selected = [ln for ln in (nq.get("stdout") or "").splitlines() if ln.startswith("*")]
            if selected:
                return _result(
                    Status.PASS,
                    _("The clock is synchronised with network time (ntpd)."),
                    source="ntpq",
                )
            return _result(
                Status.WARN,
                _("ntpd has not chosen a time server yet."),
                _advice_linux(),
                source="ntpq",
            )
    reason = _("no time service answered")
    if not tried:
        reason = _("no time tool is installed (timedatectl, chronyc or ntpq)")
    elif td and not facts.get("chronyc") and not facts.get("ntpq"):
        reason = _(
            "timedatectl could not ask systemd (this system was not started by systemd; PID 1 is {pid1})"
        ).format(pid1=facts.get("pid1") or "?")
    return _result(
        Status.UNKNOWN,
        _("We could not tell whether the clock is synchronised: {reason}.").format(reason=reason),
        [
            _(
                "Compare the clock with a trusted time source before relying on the times in the report."
            )
        ],
        tried=tried,
        pid1=facts.get("pid1"),
    )


def interpret_windows(facts: dict[str, Any], now: datetime) -> Result:
    t = facts.get("time") if not facts.get("problem") else None
    if not t:
        return _result(
            Status.UNKNOWN,
            _("We could not read the Windows Time settings."),
            error=(facts.get("errors") or {}).get("time"),
        )
    out = {
        "service": t.get("service_status"),
        "type": t.get("type"),
        "server": t.get("ntp_server"),
        "last_sync_event": t.get("last_sync_event"),
        "w32tm_exit": t.get("w32tm_exit"),
    }
    advice = [
        _(
            'Open Settings > Time & language > Date & time, turn on "Set time automatically" and click "Sync now".'
        )
    ]
    if t.get("type") == "NoSync":
        return _result(
            Status.WARN, _("Windows is set not to synchronise its clock."), advice, **out
        )
    if t.get("service_status") != "Running":
        return _result(
            Status.WARN,
            _("The Windows Time service is not running, so the clock is not being synchronised."),
            advice,
            **out,
        )
    last = parse_iso(t.get("last_sync_event"))
    if last is None:
        return _result(
            Status.UNKNOWN,
            _(
                "The Windows Time service runs, but we found no record that it synchronised the clock."
            ),
            advice,
            **out,
        )
    days = (now - last).days
    if days > STALE_SYNC_DAYS:
        return _result(
            Status.WARN,
            _("The clock was last synchronised {days} days ago.").format(days=days),
            advice,
            **out,
        )
    return _result(
        Status.PASS,
        _("The clock is synchronised with {server}.").format(
            server=(t.get("ntp_server") or "").split(",")[0] or "NTP"
        ),
        **out,
    )


def interpret_macos(facts: dict[str, Any]) -> Result:
    ss = facts["systemsetup"]
    text = (ss.get("stdout") or "") + (ss.get("stderr") or "")
    if "administrator" in text.lower() or ss.get("problem") == "denied":
        return _result(
            Status.UNKNOWN,
            _("Reading the time settings needs administrator rights."),
            [_("Run the check again as administrator.")],
        )
    m = re.search(r"Network Time: (On|Off)", text)
    if not m:
        return _result(
            Status.UNKNOWN, _("We could not read the macOS time settings."), systemsetup=ss
        )
    if m.group(1) == "On":
        return _result(
            Status.PASS,
            _("macOS sets its clock automatically from network time."),
            network_time=True,
        )
    return _result(
        Status.WARN,
        _("macOS does not set its clock automatically."),
        [
            _(
                'Turn on "Set time and date automatically" in System Settings > General > Date & Time.'
            )
        ],
        network_time=False,
    )


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


SPECS = (CheckSpec("CLOCK-SYNC", TITLE, run, timeout=150.0),)
