"""Where the reported mail came from: NOTICE-SOURCE's decision table (docs/ARCHITECTURE.md,
"Where the mail came from").

The worst answer Clearline can give is `forged` ("nothing on your side sent it") for mail the
line did send. So `forged` needs proof of absence: the line's addresses are known (in the
family the mail came from), no address of the line appears anywhere (any hop, trusted or not,
the report's source), nothing near the line appears either, the chain is vouched for down to
the server the mail came from, no login was recorded, and that server is not one the sender's
domain authorises. Any appearance of the line gives `direct`, `account` or `unknown` with the
question that settles it.

Pure: hops and the line in, a Decision out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checks import line_identity as L
from checks.received import Hop, Reading, handed_down, is_public, looks_dynamic, org, walk

DIRECT, ACCOUNT, FORGED, UNKNOWN = "direct", "account", "forged", "unknown"


@dataclass
class Decision:
    verdict: str
    code: str  # the explanation's code (checks.notice.EXPLANATIONS)
    hop: Hop | None = None  # the deciding hop
    ip: str | None = None  # the deciding address
    missing: list[str] = field(default_factory=list)  # what would settle an `unknown`
    chain: dict[str, Any] = field(default_factory=dict)  # how the chain was read


@dataclass
class _Path:
    """The chain as read: what the receiving side wrote, what it vouches for below, the rest."""

    reading: Reading
    anchor: str | None  # the report's own source address (ARF Source-IP, SpamCop "Email from")
    anchored: bool  # the anchor is a hop of the chain
    believed: list[Hop]  # newest first: the receiving side's lines, then the handed-down ones
    unbelieved: list[Hop]


def read_path(hops: list[Hop], anchor: str | None) -> _Path:
    reading = walk(hops, anchor)
    anchored = anchor is None or (reading.entry is not None and reading.entry.client_ip == anchor)
    if not anchored:
        return _Path(reading, anchor, False, [], list(reversed(hops)))
    below = handed_down(reading)
    believed = reading.trusted + below
    return _Path(reading, anchor, True, believed, [h for h in reading.untrusted if h not in below])


def _chain_facts(path: _Path) -> dict[str, Any]:
    r = path.reading
    notes = list(r.notes)
    if not path.anchored:
        notes.append("the report's source address is in no Received line: the report decides")
    below = [h.index for h in path.believed if h not in r.trusted]
    return {
        "entry_index": r.entry.index if (r.entry and path.anchored) else None,
        "trusted": [h.index for h in r.trusted] if path.anchored else [],
        "untrusted": [h.index for h in path.unbelieved],
        "followed": below,
        "notes": notes,
    }


def decide(
    hops: list[Hop],
    line: L.LineIdentity,
    results: dict[str, str],
    report_source: str | None = None,
    login: tuple[str, str] | None = None,
    provider_orgs: frozenset[str] = frozenset(),
    headers: list[tuple[str, str]] | None = None,
    *,
    notice_attributes: bool = False,
) -> Decision:
    """The verdict for a chain of hops (oldest first) and the line.

    ``report_source``: the address a report says its server saw (ARF Source-IP). ``login``:
    (server, user) of an Authentication-Results header recording a login, believed only from a
    server of the receiving side or the one the message came from. ``provider_orgs``: the line
    provider's domains (from its notice), whose home lines may have been this line.
    ``headers``: the sample's other headers (X-Originating-IP and alike), searched for the line's
    address too. ``notice_attributes``: the hops were quoted by the line provider's own notice,
    which says this contract sent the mail (so a home line in them may be this one then)."""
    path = read_path(hops, report_source)
    chain = _chain_facts(path)
    if not hops and report_source is None:
        return Decision(UNKNOWN, "need_full_headers", missing=["full_headers"], chain=chain)
    shown = [h for h in hops if line.is_line(h.client_ip)]
    if shown or line.is_line(report_source):
        decision = _line_present(path, line, shown, login)
    elif (mention := _mentioned(hops, line, headers or [])) is not None:
        decision = _line_mentioned(path, *mention)
    else:
        decision = _line_absent(path, line, results, login, provider_orgs, notice_attributes)
    decision.chain = {**chain, **decision.chain}
    return decision


def _logins(path: _Path) -> list[Hop]:
    """Believed hops that record a login, the one nearest the internet first."""
    found = [h for h in path.believed if h.authenticated]
    return sorted(found, key=lambda h: (not is_public(h.client_ip), h.client_ip is None))


def _believed_login_header(path: _Path, login: tuple[str, str] | None) -> bool:
    entry = path.reading.entry
    if login is None or entry is None or not path.anchored:
        return False
    believed = {h.by for h in path.reading.trusted if h.by} | {
        (entry.from_rdns or entry.from_helo or "").lower()
    }
    return login[0] in believed and not looks_dynamic(entry)


def _line_present(
    path: _Path, line: L.LineIdentity, shown: list[Hop], login: tuple[str, str] | None
) -> Decision:
    """The line's address is in the mail: never `forged`."""
    entry = path.reading.entry
    believed = [h for h in path.believed if line.is_line(h.client_ip)]
    from_line = [h for h in believed if h.authenticated]
    if from_line:
        hop = from_line[0]
        return Decision(ACCOUNT, "account_from_line", hop, hop.client_ip)
    if believed and believed[0] is entry and _believed_login_header(path, login):
        entry.auth_user = entry.auth_user or (login[1] if login else None)
        return Decision(
            ACCOUNT,
            "account_from_line",
            entry,
            entry.client_ip,
            chain={"login_from_authentication_results": login[0] if login else None},
        )
    if line.cgnat:
        hop = believed[0] if believed else (shown[-1] if shown else None)
        ip = hop.client_ip if hop else path.anchor
        return Decision(UNKNOWN, "shared_address", hop, ip, ["source_port"])
    if believed:
        hop = believed[0]
        code = "direct_this_line" if hop is entry else "relayed_from_this_line"
        return Decision(DIRECT, code, hop, hop.client_ip)
    if line.is_line(path.anchor):
        return Decision(DIRECT, "direct_report", None, path.anchor)
    logins = _logins(path)
    if logins:
        hop = logins[0]
        return Decision(ACCOUNT, "account", hop, hop.client_ip)
    if not path.anchored:
        # The report names another source, but its own attached headers show this line: the two
        # disagree, and "someone else sent it" would be an all-clear on a guess.
        return Decision(UNKNOWN, "source_conflict", None, path.anchor, ["source_conflict"])
    hop = shown[-1]
    return Decision(UNKNOWN, "line_in_sender_part", hop, hop.client_ip, ["logs_for_line"])


def _mentioned(
    hops: list[Hop], line: L.LineIdentity, headers: list[tuple[str, str]]
) -> tuple[Hop | None, str] | None:
    """(the hop, the address) where the line's address is written other than as a hop's
    client: in a greeting name, a comment, X-Originating-IP. Not proof it sent, but no
    all-clear either."""
    for hop in reversed(hops):
        for ip in L.addresses_in(hop.raw):
            if line.is_line(ip):
                return hop, ip
    for _name, value in headers:
        found = line.mentioned_in(value)
        if found:
            return None, found
    return None


def _line_mentioned(path: _Path, hop: Hop | None, ip: str) -> Decision:
    logins = _logins(path)
    if logins:
        found = logins[0]
        return Decision(ACCOUNT, "account", found, found.client_ip)
    return Decision(UNKNOWN, "line_mentioned", hop, ip, ["logs_for_line"])


def _line_absent(
    path: _Path,
    line: L.LineIdentity,
    results: dict[str, str],
    login: tuple[str, str] | None,
    provider_orgs: frozenset[str],
    notice_attributes: bool = False,
) -> Decision:
    """No address of the line in the mail: `forged` only with proof of absence."""
    entry = path.reading.entry
    if path.anchored and entry is None:
        return Decision(UNKNOWN, "no_internet_address", missing=["public_origin"])
    logins = _logins(path)
    if logins:
        hop = logins[0]
        # Where the login came from is the login line's own client; the hop that handed the
        # mail over is the sending server, never the person who logged in.
        return Decision(ACCOUNT, "account", hop, hop.client_ip)
    if _believed_login_header(path, login) and entry is not None:
        entry.auth_user = entry.auth_user or (login[1] if login else None)
        return Decision(
            ACCOUNT,
            "account",
            entry,
            None,  # the header names the account, not the address the login came from
            chain={"login_from_authentication_results": login[0] if login else None},
        )
    origin = _origin(path) if path.anchored else None
    ip = origin.client_ip if origin is not None else path.anchor
    if line.cgnat and ip is not None:
        # The line shares its public address: which one it had then is not known here.
        return Decision(UNKNOWN, "cgnat_unknowable", origin, ip, ["line_address", "source_port"])
    if not line.known:
        return _line_unknown(origin, ip)
    return _against_the_line(path, line, results, provider_orgs, origin, ip, notice_attributes)


def _home_line(path: _Path) -> Hop | None:
    """The lowest hop, believed or not, whose client is a public address of a home line."""
    homes = [
        h for h in path.believed + path.unbelieved if is_public(h.client_ip) and looks_dynamic(h)
    ]
    return homes[-1] if homes else None


def _origin(path: _Path) -> Hop | None:
    """Where the message came from on the internet: the lowest vouched-for hop with a public
    client (hops below it with private addresses are that sender's own network); without one,
    the entry, whose hidden or private address the words then name."""
    from_entry = path.believed[len(path.reading.trusted) - 1 :]
    public = [h for h in from_entry if is_public(h.client_ip)]
    return public[-1] if public else (from_entry[0] if from_entry else None)


def _line_unknown(origin: Hop | None, ip: str | None) -> Decision:
    if origin is not None and ip and looks_dynamic(origin):
        # Sent straight from a home line: this one or another, only the provider can say.
        return Decision(DIRECT, "direct_home_line", origin, ip)
    if origin is not None and ip is None:
        return Decision(UNKNOWN, "hidden_origin", origin, None, ["hidden_origin"])
    return Decision(UNKNOWN, "need_public_ip", origin, ip, ["public_ip"])


def _against_the_line(
    path: _Path,
    line: L.LineIdentity,
    results: dict[str, str],
    provider_orgs: frozenset[str],
    origin: Hop | None,
    ip: str | None,
    notice_attributes: bool = False,
) -> Decision:
    """The line is known and absent: each condition here is a way the line could still hide."""
    if ip is None:
        return Decision(UNKNOWN, "hidden_origin", origin, None, ["hidden_origin"])
    # (A shared line was answered before: _line_absent.)
    if not is_public(ip):
        return Decision(UNKNOWN, "no_internet_address", origin, ip, ["public_origin"])
    version = 6 if ":" in ip else 4
    if version not in line.families():
        return Decision(UNKNOWN, "other_family", origin, ip, [f"line_ipv{version}"])
    near = [h for h in path.believed + path.unbelieved if line.match(h.client_ip)[0] == L.NEAR]
    if line.match(path.anchor)[0] == L.NEAR or near:
        hop = near[0] if near else origin
        return Decision(
            UNKNOWN, "maybe_this_line", hop, hop.client_ip if hop else ip, ["line_address"]
        )
    if origin is not None and org(origin.from_rdns) in provider_orgs:
        return Decision(UNKNOWN, "maybe_this_line", origin, ip, ["line_address"])
    if not path.anchored or path.anchor is not None:
        # A report's source is the address its recipient (this line's provider) traced to this
        # contract: another address now does not show it was another line then.
        return Decision(UNKNOWN, "report_names_other", origin, ip, ["line_address"])
    if notice_attributes and (home := _home_line(path)) is not None:
        # The provider traced this mail to this contract, and it passed a home line: a dynamic
        # address changes on every reconnection, in any of the provider's blocks, so that may
        # well have been this line then. Only the provider's logs can say.
        return Decision(UNKNOWN, "notice_home_line", home, home.client_ip, ["line_address"])
    if results.get("spf") == "pass" or results.get("dmarc") == "pass":
        # A server the sender's own domain authorises: sent through that domain's mail service,
        # most likely by logging in to an account there.
        return Decision(UNKNOWN, "authorised_server", origin, ip, ["account_logs"])
    code = "forged_home_line" if origin is not None and looks_dynamic(origin) else "forged"
    return Decision(FORGED, code, origin, ip)
