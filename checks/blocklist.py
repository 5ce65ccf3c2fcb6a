"""NET-BLOCKLIST: is this line's public address on DNS blocklists? (dnspython)

A resolver that answers NXDOMAIN to everything cannot be told apart from "not listed", so each
list's test entry (127.0.0.2) is asked first: a list that does not list its own test entry gives
"unknown", never "not listed". Spamhaus answers 127.255.255.252/254/255 when it refuses a
query (wrong zone, public resolver, over the limit): also "unknown"."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from checks import catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_
from checks.model import CheckSpec, Result, Status

TITLE = N_("Your address on spam blocklists")
DEFAULT_ZONES = ("zen.spamhaus.org", "bl.spamcop.net")
TEST_ENTRY = "127.0.0.2"

SPAMHAUS = {
    "127.0.0.2": ("SBL", "fail"),
    "127.0.0.3": ("CSS", "fail"),
    "127.0.0.4": ("XBL", "fail"),
    "127.0.0.5": ("XBL", "fail"),
    "127.0.0.6": ("XBL", "fail"),
    "127.0.0.7": ("XBL", "fail"),
    "127.0.0.9": ("DROP", "fail"),
    "127.0.0.10": ("PBL", "policy"),
    "127.0.0.11": ("PBL", "policy"),
    # AuthBL: addresses seen logging in to mail servers with stolen SMTP credentials (DOMAIN.md:
    # zen answers 127.0.0.20). A stolen mail password in use, more than a spam bot.
    "127.0.0.20": ("AuthBL", "fail"),
}
REFUSED = {"127.255.255.252", "127.255.255.254", "127.255.255.255"}


@dataclass
class ZoneAnswer:
    zone: str
    test_ok: bool
    answers: list[str]
    error: str | None = None


def reverse_name(ip: str, zone: str) -> str:
    addr = ipaddress.ip_address(ip)
    if addr.version == 4:
        return ".".join(reversed(ip.split("."))) + "." + zone
    nibbles = addr.exploded.replace(":", "")
    return ".".join(reversed(nibbles)) + "." + zone


def make_resolver(server: str | None):
    import dns.resolver

    if not server:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        host, _sep, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        resolver.nameservers = [host or server]
        if port:
            resolver.port = int(port)
    resolver.lifetime = 4.0
    resolver.timeout = 2.0
    return resolver


def query(resolver, name: str) -> tuple[list[str], str | None]:
    import dns.exception
    import dns.resolver

    try:
        answer = resolver.resolve(name, "A")
        return sorted(r.address for r in answer), None
    except dns.resolver.NXDOMAIN:
        return [], None
    except dns.resolver.NoAnswer:
        return [], None
    except (dns.exception.DNSException, OSError) as exc:
        return [], type(exc).__name__


def ask(ip: str, zones: tuple[str, ...], server: str | None) -> list[ZoneAnswer]:
    resolver = make_resolver(server)
    out = []
    for zone in zones:
        test, error = query(resolver, reverse_name(TEST_ENTRY, zone))
        if error:
            out.append(ZoneAnswer(zone, False, [], error))
            continue
        test_ok = bool(test) and not set(test) & REFUSED
        answers, error = query(resolver, reverse_name(ip, zone)) if test_ok else ([], None)
        out.append(ZoneAnswer(zone, test_ok, answers, error))
    return out


SUMMARIES = {
    "no_public_ip": N_(
        "This line's public address is not known, so blocklists could not be asked (give it with --public-ip)."
    ),
    "listed_infected": N_(
        "Your address {ip} is listed as infected on {names}: a device on your line has been seen sending spam or attacking."
    ),
    "listed": N_("Your address {ip} is listed on {names}."),
    "listed_authbl": N_(
        "Your address {ip} is listed on {names}: it was seen logging in to mail servers with a stolen mail password. That points to a stolen password rather than to a program sending spam."
    ),
    "not_asked": N_(
        "Some lists could not be asked ({names}): the DNS server refused or did not answer them properly."
    ),
    "policy_only": N_(
        "Your address {ip} is only on Spamhaus PBL, a list of home-line addresses that should not send mail directly. That is normal for a home line, not an accusation."
    ),
    "not_listed": N_("Your address {ip} is on none of the lists asked ({names})."),
}
ADVICE = {
    "change_mail_password": N_(
        "Change your mail password from a clean device (a phone on mobile data), look at the account's recent logins and sent mail, and do not use that password anywhere else."
    ),
    "clean_then_delist": N_(
        "Find and clean the sending device first; then request removal on the list's website."
    ),
    "use_provider_dns": N_(
        "Blocklists refuse queries from public DNS servers: use your provider's DNS server."
    ),
}
wording.register(wording.Phrasebook({"NET-BLOCKLIST": TITLE}, SUMMARIES, ADVICE))


def judge_zone(answer: ZoneAnswer) -> dict:
    """One list's answer as a row: verdict ``listed`` (a real listing), ``policy`` (Spamhaus PBL
    only: normal for a home line), ``not listed`` or ``unknown`` (the list could not be asked,
    its test entry failed, or it refused the query)."""
    row = {
        "zone": answer.zone,
        "test_entry_ok": answer.test_ok,
        "answers": answer.answers,
        "error": answer.error,
    }
    if answer.error or not answer.test_ok:
        row["verdict"] = "unknown"
    elif set(answer.answers) & REFUSED:
        row["verdict"] = "unknown"
        row["meaning"] = "the list refused the query"
    elif not answer.answers:
        row["verdict"] = "not listed"
    else:
        meanings = [
            SPAMHAUS.get(x, ("listed", "fail")) if "spamhaus" in answer.zone else ("listed", "fail")
            for x in answer.answers
        ]
        row["lists"] = sorted({m[0] for m in meanings})
        row["verdict"] = "listed" if any(m[1] == "fail" for m in meanings) else "policy"
    return row


def interpret(ip: str | None, answers: list[ZoneAnswer]) -> Result:
    if not ip:
        return Result("NET-BLOCKLIST", Status.UNKNOWN, "no_public_ip")
    rows = [judge_zone(a) for a in answers]
    statuses = [r["verdict"] for r in rows]
    facts = {"ip": ip, "zones": rows}
    listed = [r for r in rows if r["verdict"] == "listed"]
    if listed:
        names = [f"{r['zone']} ({'/'.join(r['lists'])})" for r in listed]
        xbl = any("XBL" in r.get("lists", []) for r in listed)
        authbl = any("AuthBL" in r.get("lists", []) for r in listed)
        reason = "listed_infected" if xbl else "listed_authbl" if authbl else "listed"
        advice = ("change_mail_password",) if authbl and not xbl else ("clean_then_delist",)
        return Result(
            "NET-BLOCKLIST", Status.FAIL, reason, {"ip": ip, "names": names}, advice, facts
        )
    if "unknown" in statuses:
        names = [r["zone"] for r in rows if r["verdict"] == "unknown"]
        return Result(
            "NET-BLOCKLIST",
            Status.UNKNOWN,
            "not_asked",
            {"ip": ip, "names": names},
            ("use_provider_dns",),
            facts,
        )
    if "policy" in statuses:
        return Result("NET-BLOCKLIST", Status.PASS, "policy_only", {"ip": ip}, (), facts)
    if not rows:
        return Result(
            "NET-BLOCKLIST", Status.UNKNOWN, "not_asked", {"ip": ip, "names": []}, (), facts
        )
    return Result(
        "NET-BLOCKLIST",
        Status.PASS,
        "not_listed",
        {"ip": ip, "names": [r["zone"] for r in rows]},
        (),
        facts,
    )


def zones() -> tuple[str, ...]:
    configured = os.environ.get("CLEARLINE_BLOCKLISTS", "")
    return tuple(z.strip() for z in configured.split(",") if z.strip()) or DEFAULT_ZONES


def run(ctx: CheckContext) -> Result:
    ip = ctx.options.public_ip
    if not ip:
        return interpret(None, [])
    return interpret(ip, ask(ip, zones(), ctx.options.dns_server))


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "NET-BLOCKLIST", __name__, catalogue.AUDIT, catalogue.CONTEXT, letter=7, order=150
    ),
)

SPECS = (CheckSpec("NET-BLOCKLIST", TITLE, run, needs_network=True, timeout=40.0),)
