"""Keep secrets out of the evidence: command lines can carry passwords."""

from __future__ import annotations

import re

MASK = "***"
_SECRET_FLAG = re.compile(r"^-{1,2}[\w-]*(pass|pwd|secret|token|auth|key|credential)[\w-]*$", re.I)
_SECRET_ASSIGN = re.compile(
    r"^(-{0,2}[\w-]*(?:pass|pwd|secret|token|auth|key|credential)[\w-]*[=:])(.+)$", re.I
)
_URL_USERINFO = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@", re.I
)


def redact_arg(arg: str) -> str:
    arg = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", arg)
    m = _SECRET_ASSIGN.match(arg)
    if m:
        return m.group(1) + MASK
    return arg


def redact_cmdline(argv: list[str] | tuple[str, ...]) -> list[str]:
    """Mask values of password-like options ("--password X", "--auth-token=X") and URL passwords."""
    out: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            out.append(MASK)
            mask_next = False
            continue
        if _SECRET_FLAG.match(arg):
            out.append(arg)
            mask_next = True
            continue
        out.append(redact_arg(arg))
    return out
