"""Who in the household may have sent the mail: every suspect, ranked, with its clues.

The assessment concludes one origin; a reply saying "this PC is clean" is true and useless when
the phone sent it. This module keeps every suspect class in view — this PC, another device on
the home network, the router, the mail account (a stolen password), and "not this line" (a
forged sender) — each with the clues for and against it and, where nothing decides, the one
observation that would. Pure: codes and params only; reports/ words them.

Its promises (tests/unit/test_suspects.py, over generated facts):
- a suspect is ``ruled_out`` only by a clue that covers the claimed time (an observation of
  that time, or the notice's own headers), never by a check made today;
- a suspect with a strong clue for it is ``likely``, whatever speaks against it;
- every suspect not ``likely`` or ``ruled_out`` names the observation that would decide it;
- the ranking lists all five, most likely first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.model import Status

THIS_PC, OTHER_DEVICE, ROUTER, ACCOUNT, NOT_THIS_LINE = (
    "this_pc",
    "other_device",
    "router",
    "account",
    "not_this_line",
)
SUSPECTS = (THIS_PC, OTHER_DEVICE, ROUTER, ACCOUNT, NOT_THIS_LINE)
LIKELY, POSSIBLE, UNKNOWN, UNLIKELY, RULED_OUT = (
    "likely",
    "possible",
    "unknown",
    "unlikely",
    "ruled_out",
)
STANDINGS = (LIKELY, POSSIBLE, UNKNOWN, UNLIKELY, RULED_OUT)  # most likely first


@dataclass(frozen=True)
class Clue:
    """One observation bearing on a suspect: a code and its params (worded by reports/).

    ``strong``: a clue for the suspect that makes it likely on its own. ``covers``: a clue
    against it that speaks for the claimed time itself, the only kind that may rule it out."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()
    strong: bool = False
    covers: bool = False

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Suspect:
    who: str
    standing: str
    clues_for: tuple[Clue, ...]
    clues_against: tuple[Clue, ...]
    decide: str | None  # the observation that would decide it, when nothing has


@dataclass(frozen=True)
class Facts:
    """What the case knows that bears on the suspects, read from the assessment once."""

    pc_sent: str | None = None  # worst status of what was seen sending on this PC
    pc_program: str = ""
    line_sent: str | None = None  # worst status of another host seen sending on the line
    line_host: str = ""
    pc_off_at_claim: bool = False  # NOTICE-UPTIME: off or asleep at every claimed time
    journal_clean_at_claim: bool = False  # complete, every attempt, intact, no mail connection
    journal_mail_at_claim: int = 0  # connections to the other mail ports (587, 465) it recorded
    journal_partial_clean: bool = False  # it ran and saw nothing, but could have missed some
    clean_watch: str = ""  # a clean watch or capture of this PC made since (its span)
    line_clean_at_claim: bool = False  # a capture of the whole line covering the claim: clean
    notice_verdict: str | None = None  # direct, account, forged, unknown; None: no notice
    notice_code: str = ""  # the notice's explanation (account_from_line: a login from the line)
    notice_login_seen: bool = False  # the login line shows the address the login came from
    notice_login_elsewhere: bool = False  # ... and it is known not to be this line's
    authbl: bool = False  # the line's address is on Spamhaus AuthBL (stolen SMTP logins)
    notice_says_account: bool = False  # the notice's words: the mail account was used to send
    upnp: str | None = None  # NET-UPNP's status
    gateway: str | None = None  # NET-GATEWAY's status
    devices: int | None = None  # NET-DEVICES: other devices seen on the network
    proxyware: str = ""  # PROXYWARE: the proxy programs found on this PC
    dns_unplaced: str = ""  # NET-DNS: servers neither the router's nor well-known public ones
    notice_bot: bool = False  # the notice reports a bot's traffic, not mail
    notice_iot_bot: str = ""  # ... of a family that lives on small devices


def _clue(code: str, *, strong: bool = False, covers: bool = False, **params: Any) -> Clue:
    return Clue(code, tuple(sorted(params.items())), strong=strong, covers=covers)


def _standing(clues_for: list[Clue], clues_against: list[Clue]) -> str:
    if any(c.strong for c in clues_for):
        return LIKELY
    if any(c.covers for c in clues_against):
        return RULED_OUT
    if clues_for:
        return POSSIBLE
    if clues_against:
        return UNLIKELY
    return UNKNOWN


def _this_pc(f: Facts) -> tuple[list[Clue], list[Clue], str]:
    pro, con = [], []
    if f.pc_sent == Status.FAIL:
        pro.append(_clue("sent_from_this_pc", strong=True, program=f.pc_program))
    elif f.pc_sent == Status.WARN:
        pro.append(_clue("mail_traffic_on_this_pc", program=f.pc_program))
    if f.proxyware:
        pro.append(_clue("proxyware_on_this_pc", strong=True, names=f.proxyware))
    if f.pc_off_at_claim:
        con.append(_clue("off_at_claimed_times", covers=True))
    if f.journal_mail_at_claim:
        # A program here sent mail through a mail server's submission port at that time: the
        # user's own mail program, or a bot using the stolen password (port 25 is blocked for
        # home lines, so that is how a bot sends today). Never a sign this PC did not send.
        pro.append(_clue("journal_saw_mail_submission", n=f.journal_mail_at_claim))
    elif f.journal_clean_at_claim:
        con.append(_clue("journal_clean_at_claimed_times", covers=True))
    elif f.journal_partial_clean:
        con.append(_clue("journal_partly_clean_at_claimed_times"))
    if f.clean_watch and not f.pc_sent:
        con.append(_clue("clean_watch_since", when=f.clean_watch))
    if f.notice_iot_bot:
        # It infects small Linux devices, not Windows or Mac PCs; a PC can still send for
        # another reason, so this rules nothing out.
        con.append(_clue("iot_bot_not_this_pc", family=f.notice_iot_bot))
    return pro, con, "keep_the_journal_running"


def _other_device(f: Facts, pc_out: bool) -> tuple[list[Clue], list[Clue], str]:
    pro, con = [], []
    if f.line_sent == Status.FAIL:
        pro.append(_clue("seen_sending_on_the_line", strong=True, host=f.line_host))
    elif f.line_sent == Status.WARN:
        pro.append(_clue("mail_traffic_on_the_line", host=f.line_host))
    if f.notice_verdict == "direct" and pc_out:
        # The headers show the line sent it, and this PC did not at that time: something else
        # on the line did (another device, or the router itself).
        pro.append(_clue("line_sent_but_not_this_pc", strong=True))
    elif f.notice_verdict == "direct" and f.pc_sent != Status.FAIL:
        pro.append(_clue("line_sent_it"))  # (a bot seen here explains it without another)
    if f.notice_iot_bot:
        pro.append(_clue("notice_names_an_iot_bot", strong=True, family=f.notice_iot_bot))
    if f.devices:
        pro.append(_clue("other_devices_present", n=f.devices))
    if f.line_clean_at_claim:
        con.append(_clue("line_capture_clean_at_claimed_times", covers=True))
    return pro, con, "look_at_the_other_devices"


def _router(f: Facts, pc_out: bool) -> tuple[list[Clue], list[Clue], str]:
    pro, con = [], []
    if f.upnp == Status.FAIL:
        pro.append(_clue("upnp_maps_a_mail_or_proxy_port", strong=True))
    elif f.upnp == Status.WARN:
        pro.append(_clue("upnp_unexplained_mapping"))
    if f.gateway == Status.FAIL:
        pro.append(_clue("router_admin_open", strong=True))
    elif f.gateway == Status.WARN:
        pro.append(_clue("router_management_open"))
    if f.notice_verdict == "direct" and pc_out:
        pro.append(_clue("line_sent_but_not_this_pc"))
    if f.notice_iot_bot:
        pro.append(_clue("notice_names_an_iot_bot_router", strong=True, family=f.notice_iot_bot))
    if f.dns_unplaced:
        pro.append(_clue("dns_server_unplaced", servers=f.dns_unplaced))
    if f.upnp == Status.PASS and f.gateway in (Status.PASS, None):
        con.append(_clue("router_checked_from_inside"))
    return pro, con, "look_at_the_router"


def _account(f: Facts) -> tuple[list[Clue], list[Clue], str]:
    pro, con = [], []
    if f.notice_verdict == "account":
        pro.append(_clue("notice_shows_a_login", strong=True))
    if f.authbl:
        pro.append(_clue("listed_on_authbl", strong=True))
    if f.notice_says_account:
        pro.append(_clue("provider_says_the_account_was_used", strong=True))
    if f.notice_verdict == "direct":
        # The sample went straight from the line to the receiving server: no login was used.
        con.append(_clue("sent_directly_not_through_an_account", covers=True))
    if f.notice_bot and not pro:
        # What was reported is a device's traffic to a botnet: no mail, no password.
        con.append(_clue("notice_reports_a_bot_not_mail", covers=True))
    return pro, con, "ask_for_the_accounts_sending_log"


def _not_this_line(f: Facts) -> tuple[list[Clue], list[Clue], str]:
    pro, con = [], []
    if f.notice_verdict == "forged":
        pro.append(_clue("headers_show_another_origin", strong=True))
    from_line = f.notice_verdict == "account" and f.notice_code == "account_from_line"
    if f.notice_verdict == "direct" or from_line:
        con.append(_clue("headers_show_this_line", covers=True))
    elif f.notice_verdict == "account" and f.notice_login_elsewhere:
        # A login from an address known not to be this line's: this line did not send it, but
        # the sender was not forged either (someone used the account's password).
        con.append(_clue("headers_show_a_login_elsewhere", covers=True))
    elif f.notice_verdict == "account" and f.notice_login_seen:
        # A login from an address that may have been this line's then (a dynamic address near
        # it, a shared one, or a line whose address is not known here): not forged, and not
        # shown to have come from elsewhere.
        con.append(_clue("headers_show_a_login_maybe_from_this_line", covers=True))
    elif f.notice_verdict == "account":
        # A login from an address the headers do not show: not forged, and it may have been
        # this line's ("from webmail (unknown)").
        con.append(_clue("headers_show_a_login_from_an_unseen_address", covers=True))
    if f.pc_sent == Status.FAIL or f.line_sent == Status.FAIL:
        con.append(_clue("sending_seen_at_home"))
    # A bot's connection has no headers: only the provider's record of it (the source port
    # behind a shared address, the exact time) tells whether it was this line's.
    return pro, con, "ask_for_the_source_port" if f.notice_bot else "ask_for_the_full_headers"


def rank(f: Facts) -> tuple[Suspect, ...]:
    """Every suspect with its standing and clues, most likely first (ties in SUSPECTS order)."""
    pc = _this_pc(f)
    pc_out = _standing(pc[0], pc[1]) == RULED_OUT
    built = {
        THIS_PC: pc,
        OTHER_DEVICE: _other_device(f, pc_out),
        ROUTER: _router(f, pc_out),
        ACCOUNT: _account(f),
        NOT_THIS_LINE: _not_this_line(f),
    }
    out = []
    for who in SUSPECTS:
        pro, con, decide = built[who]
        standing = _standing(pro, con)
        out.append(
            Suspect(
                who,
                standing,
                tuple(pro),
                tuple(con),
                None if standing in (LIKELY, RULED_OUT) else decide,
            )
        )
    return tuple(sorted(out, key=lambda s: (STANDINGS.index(s.standing), SUSPECTS.index(s.who))))


def facts_of(a: Any) -> Facts:
    """The suspects' facts from an assessment (cases.assessment.Assessment)."""
    from cases import assessment as A

    def worst(where: str) -> tuple[str | None, str]:
        seen = [s for s in a.sightings if s.where == where]
        if not seen:
            return None, ""
        top = max(seen, key=lambda s: s.status == Status.FAIL)
        return str(top.status), top.program or top.host or ""

    pc_sent, program = worst(A.THIS_PC)
    line_sent, host = worst(A.LINE)
    latest = {c.result.id: c.result for c in a.checks}
    j = a.journal
    claimed = _claimed_times(a)
    journal_ran = bool(j and j.intact and j.complete and not j.port25 and j.reported)
    journal_mail = j.other_mail if journal_ran and j else 0
    journal_clean = journal_ran and not journal_mail
    line_clean = bool(claimed) and any(
        o.where == A.LINE and o.clean and all(o.start <= t <= o.end for t in claimed)
        for o in a.observations
    )
    clean = [o for o in a.observations if o.clean and o.where == A.THIS_PC]
    watch = max(clean, key=lambda o: (o.source != "snapshot", o.length), default=None)
    blocklist = latest.get("NET-BLOCKLIST")
    devices = latest.get("NET-DEVICES")
    dns = latest.get("NET-DNS")
    proxyware = latest.get("PROXYWARE")
    return Facts(
        pc_sent=pc_sent,
        pc_program=program,
        line_sent=line_sent,
        line_host=host,
        pc_off_at_claim=a.uptime_off_everywhere,
        journal_clean_at_claim=journal_clean and j.full_capture,
        journal_mail_at_claim=journal_mail,
        journal_partial_clean=journal_clean and not j.full_capture,
        clean_watch=watch.start.isoformat() if watch and watch.source != "snapshot" else "",
        line_clean_at_claim=line_clean,
        notice_verdict=a.notice.verdict if a.notice else None,
        notice_code=a.notice.explanation_code if a.notice else "",
        notice_login_seen=bool(a.notice and a.notice.deciding_ip),
        notice_login_elsewhere=bool(a.notice and a.notice.deciding_ip_elsewhere),
        authbl=_on_authbl(blocklist),
        notice_says_account=bool(a.notice and a.notice.claim.account_used),
        upnp=str(latest["NET-UPNP"].status) if "NET-UPNP" in latest else None,
        gateway=str(latest["NET-GATEWAY"].status) if "NET-GATEWAY" in latest else None,
        devices=_int(devices.params.get("n")) if devices is not None else None,
        proxyware=str(proxyware.params.get("names") or "")
        if proxyware is not None and proxyware.status == Status.FAIL
        else "",
        dns_unplaced=str(dns.params.get("servers") or "")
        if dns is not None and dns.reason == "unknown_public"
        else "",
        notice_bot=bool(a.notice and a.notice.claim.bot_report),
        notice_iot_bot=_iot_family(a),
    )


def _iot_family(a: Any) -> str:
    from checks.notice_claim import IOT_FAMILIES

    bot = a.notice.claim.bot_report if a.notice else None
    family = str((bot or {}).get("family") or "")
    return family if family in IOT_FAMILIES else ""


def _on_authbl(blocklist: Any) -> bool:
    """Listed on Spamhaus AuthBL (127.0.0.20), alone or beside XBL (which names the result)."""
    if blocklist is None or blocklist.status != Status.FAIL:
        return False
    zones = blocklist.facts.get("zones") if isinstance(blocklist.facts, dict) else None
    return blocklist.reason == "listed_authbl" or any(
        isinstance(z, dict) and z.get("verdict") == "listed" and "AuthBL" in (z.get("lists") or [])
        for z in (zones if isinstance(zones, list) else [])
    )


def _claimed_times(a: Any) -> list[datetime]:
    from cases.assessment import _dt

    out = []
    for t in a.notice.claim.times if a.notice else ():
        out += [moment for moment in (_dt(t.utc), _dt(t.end_utc)) if moment is not None]
    return out


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
