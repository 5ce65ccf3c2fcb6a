"""Linux facts for the host checks: plain data, no judgement."""

from __future__ import annotations

import glob
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from checks.context import CheckContext
from checks.probes.command import CommandOutput, run


def command_facts(out: CommandOutput, keep_stdout: bool = True) -> dict[str, Any]:
    return {
        "argv": list(out.argv),
        "returncode": out.returncode,
        "problem": out.problem,
        "detail": out.detail,
        "undecodable": out.undecodable,
        "stdout": out.stdout if keep_stdout else None,
        "stderr": out.stderr[-2000:],
    }


def parse_os_release(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Z0-9_]+)=(.*)$", line.strip())
        if m:
            value = m.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[m.group(1)] = value
    return values


def os_release(root: str = "/") -> dict[str, str]:
    for path in ("etc/os-release", "usr/lib/os-release"):
        try:
            return parse_os_release(Path(root, path).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return {}


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def apt_facts(ctx: CheckContext) -> dict[str, Any]:
    sim = run(
        ["apt-get", "-s", "-o", "Debug::NoLocking=1", "upgrade"],
        ctx,
        timeout=90,
        env=dict(os.environ, LC_ALL="C", LANG="C"),
    )
    lists = [p for p in glob.glob("/var/lib/apt/lists/*") if not p.endswith(("lock", "partial"))]
    newest = max((m for m in map(_mtime, lists) if m), default=None)
    stamps = {
        "update_success_stamp": _mtime("/var/lib/apt/periodic/update-success-stamp"),
        "lists_newest": newest,
    }
    config = run(["apt-config", "dump"], ctx, timeout=20, env=dict(os.environ, LC_ALL="C"))
    return {
        "manager": "apt",
        "simulate": command_facts(sim),
        "stamps": stamps,
        "apt_config": config.stdout if config.ok else None,
        "unattended_upgrades_installed": shutil.which("unattended-upgrade") is not None
        or os.path.exists("/usr/bin/unattended-upgrade"),
        "now": time.time(),
    }


def dnf_facts(ctx: CheckContext) -> dict[str, Any]:
    env = dict(os.environ, LC_ALL="C", LANG="C")
    security = run(
        ["dnf", "-q", "--cacheonly", "check-upgrade", "--security"], ctx, timeout=120, env=env
    )
    allup = run(["dnf", "-q", "--cacheonly", "check-upgrade"], ctx, timeout=120, env=env)
    timers = {}
    for unit in ("dnf-automatic.timer", "dnf-automatic-install.timer", "dnf5-automatic.timer"):
        out = run(["systemctl", "is-enabled", unit], ctx, timeout=10)
        timers[unit] = out.stdout.strip() if out.ok else None
    cache = [m for m in map(_mtime, glob.glob("/var/cache/dnf/*")) if m]
    return {
        "manager": "dnf",
        "security": command_facts(security),
        "all": command_facts(allup),
        "automatic_timers": timers,
        "cache_newest": max(cache, default=None),
        "now": time.time(),
    }


def update_facts(ctx: CheckContext) -> dict[str, Any]:
    if shutil.which("apt-get"):
        return apt_facts(ctx)
    if shutil.which("dnf"):
        return dnf_facts(ctx)
    return {"manager": None, "os_release": os_release()}


CLAM_DB_DIRS = ("/var/lib/clamav", "/usr/local/share/clamav")


def antivirus_facts(ctx: CheckContext) -> dict[str, Any]:
    import psutil

    facts: dict[str, Any] = {"now": time.time(), "scanners": {}}
    if shutil.which("clamscan") or shutil.which("clamdscan"):
        version = run(["clamscan", "--version"], ctx, timeout=30)
        dbs = {}
        for folder in CLAM_DB_DIRS:
            for path in glob.glob(f"{folder}/*.c[lv]d"):
                dbs[path] = _mtime(path)
        facts["scanners"]["clamav"] = {"version": command_facts(version), "databases": dbs}
    for name, path in (
        ("sophos", "/opt/sophos-av/bin/savdstatus"),
        ("eset", "/opt/eset/efs/bin/odscan"),
        ("mdatp", "/usr/bin/mdatp"),
    ):
        if os.path.exists(path):
            facts["scanners"][name] = {"path": path}
    running = set()
    for proc in psutil.process_iter(["name"]):
        name = (proc.info.get("name") or "").lower()
        if name in ("clamd", "freshclam", "wdavdaemon", "savd", "esets_daemon"):
            running.add(name)
    facts["daemons"] = sorted(running)
    if ctx.options.scan and "clamav" in facts["scanners"]:
        targets = [
            p for p in (os.path.expanduser("~"), "/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(p)
        ]
        scan = run(["clamscan", "-r", "-i", "--no-summary", *targets], ctx, timeout=3600)
        facts["scan"] = {"targets": targets, **command_facts(scan)}
    return facts


FIREWALL_TOOLS = ("ufw", "firewall-cmd", "nft", "iptables")


def firewall_facts(ctx: CheckContext) -> dict[str, Any]:
    env = dict(os.environ, LC_ALL="C", LANG="C")
    facts: dict[str, Any] = {"tools": {t: shutil.which(t) for t in FIREWALL_TOOLS}}
    if facts["tools"]["ufw"]:
        facts["ufw"] = command_facts(run(["ufw", "status", "verbose"], ctx, timeout=20, env=env))
    if facts["tools"]["firewall-cmd"]:
        facts["firewalld"] = command_facts(
            run(["firewall-cmd", "--state"], ctx, timeout=20, env=env)
        )
    if facts["tools"]["nft"]:
        facts["nft"] = command_facts(run(["nft", "list", "ruleset"], ctx, timeout=20, env=env))
    if facts["tools"]["iptables"]:
        facts["iptables"] = command_facts(
            run(["iptables", "-S", "INPUT"], ctx, timeout=20, env=env)
        )
    return facts


def clock_facts(ctx: CheckContext) -> dict[str, Any]:
    env = dict(os.environ, LC_ALL="C", LANG="C")
    facts: dict[str, Any] = {"pid1": _pid1_name()}
    if shutil.which("timedatectl"):
        facts["timedatectl"] = command_facts(
            run(
                ["timedatectl", "show", "-p", "NTPSynchronized", "-p", "NTP", "-p", "Timezone"],
                ctx,
                timeout=10,
                env=env,
            )
        )
    if shutil.which("chronyc"):
        facts["chronyc"] = command_facts(
            run(["chronyc", "-n", "tracking"], ctx, timeout=10, env=env)
        )
    if shutil.which("ntpq"):
        facts["ntpq"] = command_facts(run(["ntpq", "-pn"], ctx, timeout=10, env=env))
    return facts


def _pid1_name() -> str | None:
    try:
        return Path("/proc/1/comm").read_text().strip()
    except OSError:
        return None
