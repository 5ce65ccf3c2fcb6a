"""`journal install` / `journal uninstall`: the recorder as a system service that starts with
the machine — a systemd unit on Linux, a launchd daemon on macOS, a scheduled task at start-up
on Windows. Where none of these exists (a container without systemd), the plan is the words
that say how to start it by hand.

A plan is computed first (files to write, commands to run: pure, tested on every platform
here), then carried out."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

UNIT_NAME = "clearline-journal.service"
LAUNCHD_LABEL = "org.clearline.journal"
TASK_NAME = "Clearline Journal"


@dataclass
class Plan:
    platform: str
    files: dict[str, str] = field(default_factory=dict)  # path -> content
    remove: list[str] = field(default_factory=list)
    commands: list[list[str]] = field(default_factory=list)
    manual: str = ""  # nothing can be installed here: how to run it by hand

    @property
    def possible(self) -> bool:
        return not self.manual


def recorder_argv(db: Path) -> list[str]:
    """How the service starts the recorder: this interpreter and this program, by full path."""
    from launch import self_argv

    return self_argv("journal", "run", "--db", str(db))


def source_checkout_warning() -> str | None:
    """Installed from a source checkout, the service runs that checkout's code as root: say so,
    and say it loudly when someone other than root may change it."""
    from launch import frozen, program_folder

    if frozen():
        return None
    from checks.i18n import _

    folder = program_folder()
    writable = [
        str(p)
        for p in (folder, folder / "main.py", folder / "journal", folder / "checks")
        if p.exists() and (p.stat().st_uid != 0 or p.stat().st_mode & 0o022)
    ]
    text = _(
        "Note: the service will run the code in {folder} (a source checkout) with administrator"
        " rights."
    ).format(folder=folder)
    if writable:
        text += " " + _(
            "Users other than root can change {paths}: whatever they put there would run as"
            " root. Install the packaged application instead, or make the checkout root-owned."
        ).format(paths=", ".join(writable))
    return text


def has_systemd(root: Path = Path("/")) -> bool:
    # sd_booted(): systemd is the init system when this directory exists.
    return (root / "run/systemd/system").is_dir()


def systemd_unit(argv: list[str], state_dir: Path) -> str:
    quoted = " ".join(_systemd_quote(a) for a in argv)
    return f"""[Unit]
Description=Clearline outbound-mail journal (records every mail connection of this machine)
After=network.target

[Service]
Type=simple
ExecStart={quoted}
Restart=on-failure
RestartSec=5
# Least privilege: root's identity for its state folder, but only the capabilities the
# recorder uses: the packet socket, and reading which program owns a socket.
CapabilityBoundingSet=CAP_NET_RAW CAP_SYS_PTRACE CAP_DAC_READ_SEARCH
AmbientCapabilities=CAP_NET_RAW CAP_SYS_PTRACE CAP_DAC_READ_SEARCH
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
ReadWritePaths={state_dir}
StateDirectory={state_dir.name}
StateDirectoryMode=0755
# Readable by the people who use this machine: the window and `notice` look things up in it.
UMask=0022

[Install]
WantedBy=multi-user.target
"""


def _systemd_quote(arg: str) -> str:
    if arg and all(c.isalnum() or c in "/._-=:" for c in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def launchd_plist(argv: list[str]) -> str:
    from xml.sax.saxutils import escape

    args = "\n".join(f"        <string>{escape(a)}</string>" for a in argv)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
    <key>Label</key>
    <string>{LAUNCHD_LABEL}</string>
    <key>ProgramArguments</key>
    <array>
{args}
    </array>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <true/>
    <key>StandardErrorPath</key>
    <string>/Library/Logs/Clearline-journal.log</string>
</dict>
</plist>
"""


def windows_task_command(argv: list[str]) -> list[str]:
    root = os.environ.get("SystemRoot", r"C:\Windows")
    action = subprocess.list2cmdline(argv)
    return [
        rf"{root}\System32\schtasks.exe",
        "/Create",
        "/TN",
        TASK_NAME,
        "/SC",
        "ONSTART",
        "/RU",
        "SYSTEM",
        "/RL",
        "HIGHEST",
        "/TR",
        action,
        "/F",
    ]


def install_plan(db: Path, platform: str | None = None, root: Path = Path("/")) -> Plan:
    platform = platform or _platform()
    argv = recorder_argv(db)
    if platform == "linux":
        if not has_systemd(root):
            return Plan(platform, manual=manual_words(argv))
        unit = root / "etc/systemd/system" / UNIT_NAME
        return Plan(
            platform,
            files={str(unit): systemd_unit(argv, db.parent)},
            commands=[
                ["systemctl", "daemon-reload"],
                ["systemctl", "enable", "--now", UNIT_NAME],
            ],
        )
    if platform == "macos":
        plist = root / "Library/LaunchDaemons" / f"{LAUNCHD_LABEL}.plist"
        return Plan(
            platform,
            files={str(plist): launchd_plist(argv)},
            commands=[["/bin/launchctl", "bootstrap", "system", str(plist)]],
        )
    if platform == "windows":
        return Plan(platform, commands=[windows_task_command(argv)])
    return Plan(platform, manual=manual_words(argv))


def uninstall_plan(platform: str | None = None, root: Path = Path("/")) -> Plan:
    platform = platform or _platform()
    if platform == "linux":
        unit = root / "etc/systemd/system" / UNIT_NAME
        if not has_systemd(root):
            return Plan(platform, remove=[str(unit)] if unit.exists() else [])
        return Plan(
            platform,
            remove=[str(unit)],
            commands=[
                ["systemctl", "disable", "--now", UNIT_NAME],
                ["systemctl", "daemon-reload"],
            ],
        )
    if platform == "macos":
        plist = root / "Library/LaunchDaemons" / f"{LAUNCHD_LABEL}.plist"
        return Plan(
            platform,
            remove=[str(plist)],
            commands=[["/bin/launchctl", "bootout", f"system/{LAUNCHD_LABEL}"]],
        )
    if platform == "windows":
        root_dir = os.environ.get("SystemRoot", r"C:\Windows")
        return Plan(
            platform,
            commands=[[rf"{root_dir}\System32\schtasks.exe", "/Delete", "/TN", TASK_NAME, "/F"]],
        )
    return Plan(platform)


def manual_words(argv: list[str]) -> str:
    from checks.i18n import _

    command = " ".join(_shell_quote(a) for a in argv)
    return _(
        "This system has no service manager Clearline knows (systemd is not running here, as"
        " in a container). Start the recorder yourself, as root, and keep it running:\n"
        "    {command}\n"
        "or add that line to how this system starts its services. Stop it with Ctrl-C or"
        " SIGTERM; what it recorded stays."
    ).format(command=command)


def _shell_quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def apply(plan: Plan, run=subprocess.run) -> list[str]:
    """Carry the plan out; returns what was done, in words, or raises OSError/CalledProcessError
    with what failed."""
    done: list[str] = []
    for path, content in plan.files.items():
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(content, encoding="utf-8")
        os.chmod(temp, 0o644)
        os.replace(temp, target)
        done.append(f"wrote {target}")
    for path in plan.remove:
        try:
            Path(path).unlink()
            done.append(f"removed {path}")
        except FileNotFoundError:
            pass
    for argv in plan.commands:
        tool = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0])
        if tool is None:
            raise OSError(f"{argv[0]} is not installed")
        # schtasks and launchctl answer in the console's code page (cp932 on a Japanese Windows),
        # not in UTF-8: a byte they write must never stop an install that already happened.
        run(
            [tool, *argv[1:]],
            check=True,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=60,
        )
        done.append("ran " + " ".join(argv))
    return done


def _platform() -> str:
    from checks.model import current_platform

    return current_platform()
