"""`main.py diagnose`: what every probe saw on this machine, in one file a user can send.

For the first runs on systems the developers cannot test on (Windows and macOS from here): the
raw facts of every check that stays on this machine, the platform, versions and locale. The user
name and home folder are masked; nothing is sent anywhere.
"""

from __future__ import annotations

import getpass
import json
import locale
import os
import platform
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any


def environment() -> dict[str, Any]:
    from checks import i18n
    from checks.context import is_admin

    def version(module: str) -> str | None:
        try:
            from importlib.metadata import version as v

            return v(module)
        except Exception:
            return None

    try:
        loc = locale.getlocale()
    except ValueError:
        loc = (None, None)
    info: dict[str, Any] = {
        "written": datetime.now().astimezone().isoformat(),
        "platform": platform.platform(),
        "system": platform.system(),
        "release": platform.release(),
        "version": platform.version(),
        "machine": platform.machine(),
        "python": sys.version,
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable": sys.executable,
        "locale": list(loc),
        "preferred_encoding": locale.getpreferredencoding(False),
        "stdout_encoding": getattr(sys.stdout, "encoding", None),
        "language": i18n.get_language(),
        "admin": is_admin(),
        "timezone": datetime.now().astimezone().tzname(),
        "utc_offset": datetime.now().astimezone().strftime("%z"),
        "packages": {m: version(m) for m in ("psutil", "scapy", "PySide6_Essentials", "dnspython")},
    }
    if sys.platform == "win32":
        from checks.probes import windows

        info["powershell"] = windows.powershell()
        info["npcap"] = os.path.exists(
            os.path.join(os.environ.get("SystemRoot", r"C:\\Windows"), "System32", "Npcap")
        )
    return info


def mask(text: str) -> str:
    """The user's name and home folder, wherever they appear, replaced."""
    home = str(Path.home())
    user = getpass.getuser()
    text = text.replace(home, "<home>")
    text = text.replace(home.replace("\\", "\\\\"), "<home>")
    if len(user) >= 3:
        text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(user)}(?![A-Za-z0-9])", "<user>", text)
    return text


def collect() -> dict[str, Any]:
    from checks import registry
    from checks.context import Options
    from checks.runner import run_checks

    specs = [s for s in registry.ALL if not s.needs_network]
    results = run_checks(specs, Options())
    return {
        "environment": environment(),
        "checks": [
            {
                "id": r.id,
                "status": str(r.status),
                "reason": r.reason,
                "params": r.params,
                "facts": r.facts,
                "duration_ms": r.duration_ms,
            }
            for r in results
        ],
    }


def write(out: str | os.PathLike[str] | None = None) -> Path:
    from platformdirs import user_log_path

    if out:
        path = Path(out)
    else:
        folder = user_log_path("Clearline", appauthor=False)
        path = folder / f"diagnose-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = mask(json.dumps(collect(), ensure_ascii=False, indent=2, default=str))
    from checks import safefile

    safefile.write_new(path, text.encode("utf-8"))
    return path
