"""Windows facts: one PowerShell run per audit, shared by every check that needs it."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Any

from checks.context import CheckContext
from checks.probes.command import run

SCRIPT = Path(__file__).with_name("windows_facts.ps1")
TIMEOUT = 120.0  # the Windows Update search can take a while on a slow disk


def powershell() -> str | None:
    for name in ("powershell.exe", "pwsh.exe", "pwsh"):
        path = shutil.which(name)
        if path:
            return path
    return None


def parse_report(stdout: str) -> dict[str, Any]:
    """The JSON document the script printed; raises ValueError with a plain reason."""
    text = stdout.strip().lstrip("\ufeff")
    start = text.find("{")
    if start < 0:
        raise ValueError("PowerShell printed no report")
    data = json.loads(text[start:])
    if not isinstance(data, dict) or data.get("schema") != 1:
        raise ValueError("PowerShell printed an unexpected report")
    return data


def gather(ctx: CheckContext, scan: bool = False) -> dict[str, Any]:
    """Run the script once; a dict with the facts, or {"problem": ..., "detail": ...}."""
    exe = powershell()
    if exe is None:
        return {"problem": "missing", "detail": "PowerShell was not found"}
    encoded = base64.b64encode(SCRIPT.read_text(encoding="utf-8").encode("utf-16-le")).decode()
    env = dict(os.environ, CLEARLINE_SCAN="1" if scan else "0")
    out = run(
        [
            exe,
            "-NoProfile",
            "-NonInteractive",
            "-ExecutionPolicy",
            "Bypass",
            "-EncodedCommand",
            encoded,
        ],
        ctx,
        timeout=TIMEOUT + (900 if scan else 0),
        env=env,
    )
    if not out.ok:
        return {"problem": out.problem, "detail": out.detail}
    try:
        return parse_report(out.stdout)
    except ValueError as exc:
        return {"problem": "unreadable", "detail": str(exc), "exit_code": out.returncode}


def facts(ctx: CheckContext) -> dict[str, Any]:
    return ctx.shared.once("windows", lambda: gather(ctx, scan=ctx.options.scan))
