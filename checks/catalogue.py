"""Every check Clearline has, once: its ID, the module that runs and words it, and each facet the
rest of the program would otherwise guess from a list of its own (what produces it, what part
it plays in the answer, its place in the letter, where step 4 fixes it, which answers mean an
infection). A new check is its own module plus one line here.

Plain data, importing nothing of ours: the wording, the runner's registry, the assessment, the
guidance, the view model and the window all read it, from any floor."""

from __future__ import annotations

from dataclasses import dataclass

# What produces a check's results.
AUDIT, CAPTURE, NOTICE = "audit", "capture", "notice"
# The part a check plays in the answer.
MAIL = "mail"  # evidence that this PC or line sent mail (the assessment's sightings)
DEFENCE = "defence"  # what keeps a PC and home safe; step 4 lists its warnings to fix
CONTEXT = "context"  # facts that frame the answer (clock, address kind, devices, lists)
CLAIM = "claim"  # what the notice says and whether this line could have done it
ANY_FAIL = frozenset({"*"})  # every FAIL of the check means an infection


@dataclass(frozen=True)
class Entry:
    id: str
    module: str
    source: str
    role: str
    letter: int | None = None  # its place in the letter's list of findings; None: not listed
    fix: str | None = None  # the place step 4 opens to fix it ("scan", "updates", ...)
    infection: frozenset[str] = frozenset()  # FAIL reasons that mean this PC is infected

    def shows_infection(self, status: str, reason: str) -> bool:
        return status == "fail" and ("*" in self.infection or reason in self.infection)


CATALOGUE: tuple[Entry, ...] = (
    Entry("SMTP-OUT", "checks.smtp", AUDIT, MAIL, 1, "scan", ANY_FAIL),
    Entry("SMTP-LISTEN", "checks.smtp", AUDIT, MAIL, 4, "scan", ANY_FAIL),
    Entry("PROXY-OPEN", "checks.proxy", AUDIT, MAIL, 5, "scan", ANY_FAIL),
    Entry("PROXYWARE", "checks.proxyware", AUDIT, DEFENCE, 10, "scan", ANY_FAIL),
    Entry("OS-UPDATES", "checks.updates", AUDIT, DEFENCE, None, "updates"),
    Entry("OS-SUPPORT", "checks.support", AUDIT, DEFENCE, None, "updates"),
    Entry(
        "AV-STATUS",
        "checks.antivirus",
        AUDIT,
        DEFENCE,
        6,
        "scan",
        frozenset({"quick_scan_threats", "scan_found"}),
    ),
    Entry("FW-STATUS", "checks.firewall", AUDIT, DEFENCE, None, "firewall"),
    Entry("CLOCK-SYNC", "checks.clock", AUDIT, CONTEXT),
    Entry("NET-NAT", "checks.lan", AUDIT, CONTEXT),
    Entry("NET-GATEWAY", "checks.lan", AUDIT, DEFENCE, 9, "router"),
    Entry("NET-DEVICES", "checks.lan", AUDIT, CONTEXT),
    Entry("NET-UPNP", "checks.upnp", AUDIT, DEFENCE, 8, "router"),
    Entry("NET-DNS", "checks.dns_server", AUDIT, DEFENCE, None, "router"),
    Entry("NET-BLOCKLIST", "checks.blocklist", AUDIT, CONTEXT, 7),
    Entry("TRAFFIC-SMTP", "checks.traffic", CAPTURE, MAIL, 2, "scan", ANY_FAIL),
    Entry("TRAFFIC-MX", "checks.traffic", CAPTURE, MAIL, 3, "scan", ANY_FAIL),
    Entry("NOTICE-SOURCE", "checks.notice", NOTICE, CLAIM),
    Entry("NOTICE-UPTIME", "checks.uptime", NOTICE, CLAIM),
)

BY_ID: dict[str, Entry] = {e.id: e for e in CATALOGUE}
ORDER: dict[str, int] = {e.id: i for i, e in enumerate(CATALOGUE)}


def ids(*, role: str | None = None, source: str | None = None) -> tuple[str, ...]:
    """The IDs with that role and source, in catalogue order."""
    return tuple(
        e.id
        for e in CATALOGUE
        if (role is None or e.role == role) and (source is None or e.source == source)
    )


def modules(source: str | None = None) -> tuple[str, ...]:
    """The check modules, each once, in the order of their first check."""
    return tuple(dict.fromkeys(e.module for e in CATALOGUE if source in (None, e.source)))


def letter_checks() -> tuple[str, ...]:
    """The checks the letter states, one sentence each, in the letter's order."""
    listed = [e for e in CATALOGUE if e.letter is not None]
    return tuple(e.id for e in sorted(listed, key=lambda e: e.letter or 0))


def fix_place(check_id: str) -> str:
    entry = BY_ID.get(check_id)
    return entry.fix if entry and entry.fix else "scan"


def shows_infection(check_id: str, status: str, reason: str) -> bool:
    """Does this result say the PC is infected (a program sending or relaying mail, or a scanner
    that found malware)? Not: a missing or expired scanner, which is a warning to fix."""
    entry = BY_ID.get(check_id)
    return entry is not None and entry.shows_infection(str(status), reason)
