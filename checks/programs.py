"""Who is this program? Pure knowledge about mail programs, mail servers and the folders where
malware hides. Used by every check that names a process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from checks.i18n import N_, _

# Executable base names (lower case, without .exe) of mail programs people use, with the name
# to show. Japanese clients (Becky!, Shuriken, EdMax, AL-Mail, Datula) are included on purpose.
MAIL_CLIENTS: dict[str, str] = {
    "outlook": "Microsoft Outlook",
    "olk": "Outlook (new)",
    "hxoutlook": "Windows Mail",
    "hxtsr": "Windows Mail",
    "wlmail": "Windows Live Mail",
    "winmail": "Windows Mail",
    "thunderbird": "Thunderbird",
    "thunderbird-bin": "Thunderbird",
    "b2": "Becky! Internet Mail",
    "shuriken": "Shuriken",
    "edmax": "EdMax",
    "al-mail32": "AL-Mail",
    "al-mail": "AL-Mail",
    "datula": "Datula",
    "mailclient": "eM Client",
    "mailbird": "Mailbird",
    "postbox": "Postbox",
    "spark": "Spark",
    "airmail": "Airmail",
    "evolution": "Evolution",
    "kmail": "KMail",
    "claws-mail": "Claws Mail",
    "sylpheed": "Sylpheed",
    "geary": "Geary",
    "mutt": "Mutt",
    "neomutt": "NeoMutt",
    "alpine": "Alpine",
    "msmtp": "msmtp",
    "betterbird": "Betterbird",
}

# Apple Mail's process is just "Mail": only believe it from Apple's own folders.
APPLE_MAIL_DIRS = ("/System/Applications/Mail.app/", "/Applications/Mail.app/")

MAIL_SERVERS: dict[str, str] = {
    "master": "Postfix",
    "smtp": "Postfix",
    "smtpd": "Postfix/OpenSMTPD",
    "postfix": "Postfix",
    "exim": "Exim",
    "exim4": "Exim",
    "sendmail": "Sendmail",
    "opensmtpd": "OpenSMTPD",
    "hmailserver": "hMailServer",
    "mercury": "Mercury Mail",
    "mercury32": "Mercury Mail",
    "edgetransport": "Microsoft Exchange",
    "msexchangefrontendtransport": "Microsoft Exchange",
    "inetinfo": "IIS SMTP service",
    "dovecot": "Dovecot",
    "courier": "Courier",
}

# Windows system programs malware likes to be named after, with where the real ones live.
SYSTEM_NAMES = {
    "svchost",
    "csrss",
    "lsass",
    "services",
    "winlogon",
    "smss",
    "explorer",
    "rundll32",
    "taskhostw",
    "dllhost",
    "conhost",
    "spoolsv",
    "wininit",
}

# Dot-folders where developer tools and package managers legitimately install programs.
TOOL_DOT_DIRS = {
    ".local",
    ".cargo",
    ".pyenv",
    ".rbenv",
    ".nvm",
    ".sdkman",
    ".deno",
    ".bun",
    ".rustup",
    ".vscode-server",
    ".venv",
    ".linuxbrew",
}

# Reasons a program's location is suspicious (stable keys; shown through describe_reason).
TEMP, HIDDEN, DOWNLOADS, DELETED, IMPERSONATES, DISGUISED = (
    "temp",
    "hidden",
    "downloads",
    "deleted",
    "impersonates",
    "disguised",
)

_REASON_TEXT = {
    (TEMP, HIDDEN): N_("a hidden temporary folder"),
    (TEMP,): N_("a temporary folder"),
    (HIDDEN,): N_("a hidden folder"),
    (DOWNLOADS,): N_("the Downloads folder"),
    (DELETED,): N_("a file that has since been deleted"),
    (IMPERSONATES,): N_("the wrong folder for a Windows system program of that name"),
    (DISGUISED,): N_(
        "a file that only looks like the one at its path (another file, seen from a sandbox of its"
        " own)"
    ),
}


def _path(exe: str, platform: str) -> PurePath:
    if platform == "windows" or re.match(r"^[A-Za-z]:[\\/]|^\\\\", exe):
        return PureWindowsPath(exe)
    return PurePosixPath(exe)


def base_name(exe: str | None, name: str, platform: str) -> str:
    raw = _path(exe, platform).name if exe else name
    raw = raw.lower()
    return raw[:-4] if raw.endswith(".exe") else raw


def location_reasons(exe: str | None, platform: str, exe_exists: bool | None = None) -> list[str]:
    """Why the folder an executable runs from is suspicious (empty list: nothing unusual)."""
    reasons: list[str] = []
    if exe_exists is False:
        reasons.append(DELETED)
    if not exe:
        return reasons
    path = _path(exe, platform)
    parts = [p.lower() for p in path.parts[:-1]]
    joined = path.parent.as_posix().lower()
    if isinstance(path, PureWindowsPath):
        if "temp" in parts or "tmp" in parts:
            reasons.append(TEMP)
        # AppData and ProgramData are hidden folders by default on Windows.
        in_appdata = "appdata" in parts and not re.search(
            r"appdata/local/(programs|microsoft/windowsapps)(/|$)", joined
        )
        if in_appdata or (len(parts) > 1 and parts[1] == "programdata"):
            reasons.append(HIDDEN)
        if "downloads" in parts:
            reasons.append(DOWNLOADS)
        base = base_name(exe, "", "windows")
        if base in SYSTEM_NAMES and not re.match(
            r"^[a-z]:/windows/(system32|syswow64)?(/|$)", joined + "/"
        ):
            reasons.append(IMPERSONATES)
    else:
        if (
            joined.startswith(("/tmp", "/var/tmp", "/dev/shm", "/private/tmp", "/private/var/tmp"))
            or re.search(r"^/private/var/folders/[^/]+/[^/]+/t(/|$)", joined)
            or re.match(r"^/run/user/\d+", joined)
        ):
            reasons.append(TEMP)
        if any(
            p.startswith(".") and p not in (".", "..") and p not in TOOL_DOT_DIRS for p in parts
        ):
            reasons.append(HIDDEN)
        if "downloads" in parts:
            reasons.append(DOWNLOADS)
    return sorted(
        set(reasons), key=[TEMP, HIDDEN, DOWNLOADS, DELETED, IMPERSONATES, DISGUISED].index
    )


def describe_reasons(reasons: list[str]) -> str:
    """Plain words for where a program lives, e.g. 'a hidden temporary folder'."""
    key = tuple(r for r in reasons if r in (TEMP, HIDDEN))
    if key in _REASON_TEXT:
        return _(_REASON_TEXT[key])
    for reason in reasons:
        if (reason,) in _REASON_TEXT:
            return _(_REASON_TEXT[(reason,)])
    return _("an unusual folder")


STANDARD_PREFIXES = {
    "windows": (
        "c:/program files/",
        "c:/program files (x86)/",
        "c:/windows/",
        "c:/programdata/microsoft/windows defender/",
    ),
    "macos": ("/applications/", "/system/", "/usr/", "/library/", "/opt/homebrew/"),
    "linux": ("/usr/", "/bin/", "/sbin/", "/opt/", "/snap/", "/var/lib/flatpak/", "/app/"),
}


def in_standard_location(exe: str | None, platform: str) -> bool | None:
    if not exe:
        return None
    norm = exe.replace("\\", "/").lower()
    if platform == "windows" and re.search(r"/appdata/local/programs/", norm):
        return True  # per-user installs (e.g. Thunderbird for one user)
    return norm.startswith(STANDARD_PREFIXES.get(platform, ()))


@dataclass(frozen=True)
class Program:
    kind: str  # "mail_client", "mail_server" or "other"
    display_name: str
    reasons: tuple[str, ...]  # suspicious-location reasons
    standard_location: bool | None

    @property
    def suspicious(self) -> bool:
        return bool(self.reasons)


def classify(
    name: str,
    exe: str | None,
    platform: str,
    exe_exists: bool | None = None,
    exe_verified: bool | None = None,
) -> Program:
    """``exe_verified`` False: the program is not the file at its path (another namespace, or
    another file): whatever its name, it is named as disguised and is no mail server."""
    base = base_name(exe, name, platform)
    reasons = tuple(location_reasons(exe, platform, exe_exists))
    if exe_verified is False:
        reasons = (*reasons, DISGUISED)
    standard = in_standard_location(exe, platform)
    if base == "mail" and exe and exe.startswith(APPLE_MAIL_DIRS):
        return Program("mail_client", "Apple Mail", reasons, standard)
    if base in MAIL_CLIENTS:
        return Program("mail_client", MAIL_CLIENTS[base], reasons, standard)
    if base in MAIL_SERVERS and standard and exe_verified is not False:
        return Program("mail_server", MAIL_SERVERS[base], reasons, standard)
    return Program("other", name or base, reasons, standard)


def is_windows_dns_client(owner: dict | None, platform: str) -> bool:
    """The Windows DNS Client service (Dnscache), which makes the lookups of every program that
    asks Windows for a name: the real svchost.exe in System32, started with "-s Dnscache"
    (Windows 10 1703 and later give it its own process) or sharing a NetworkService host.
    Its MX lookups were asked for by some other program it does not name."""
    if platform != "windows" or not owner:
        return False
    exe = owner.get("exe")
    if base_name(exe, owner.get("name") or "", platform) != "svchost":
        return False
    if not exe or location_reasons(exe, platform, owner.get("exe_exists")):
        return False  # a svchost.exe anywhere else is an impostor, never the service
    if not in_standard_location(exe, platform):
        return False
    cmdline = owner.get("cmdline") or []
    text = " ".join(cmdline) if isinstance(cmdline, list) else str(cmdline)
    return not text or "dnscache" in text.lower() or "networkservice" in text.lower()


def program_facts(info, program: Program) -> dict:
    """The evidence about one process, with secrets masked from its command line."""
    from checks.redact import redact_cmdline

    return {
        "pid": info.pid,
        "name": info.name,
        "exe": info.exe,
        "exe_exists": info.exe_exists,
        "cmdline": redact_cmdline(info.cmdline),
        "user": info.user,
        "started": info.started,
        "parents": [{"pid": pid, "name": name} for pid, name in info.parents],
        "kind": program.kind,
        "program": program.display_name,
        "location": list(program.reasons),
        "standard_location": program.standard_location,
        "not_readable": list(info.denied),
        "exe_verified": getattr(info, "exe_verified", None),
    }
