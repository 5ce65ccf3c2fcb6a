"""Which paragraphs a letter holds, in order: chosen once here for every language.

Each language's paragraph file (reports/templates/letter.<lang>.txt.j2) words each code as a
macro of the same name, and holds no choice of its own beyond a sentence's wording; the letter
is those macros called in this order. A paragraph's macro writes its own blank lines, so that
the choices here are the only ones."""

from __future__ import annotations

from reports.viewmodel import LetterModel

# Every paragraph a letter can hold; each language's paragraph file words all of them.
CODES = (
    "opening", "claim", "claim_bot", "checked", "checked_span", "clock_synchronised", "clock_unsure",
    "findings", "found", "direct", "sighting_line", "sighting_program", "sighting_blamed",
    "sighting_open", "sighting_unidentified", "more_sightings", "blank", "forged", "forged_auth",
    "account", "conflict", "address_unsure", "line_in_sender_part", "scope_also",
    "scope_snapshot", "scope_line", "scope_pc", "journal_damaged", "journal_events",
    "journal_quiet", "journal_head", "journal_partial", "journal_part", "uptime_off", "cgnat",
    "nothing_found", "this_pc_only", "remediation", "after_removed", "after_ongoing",
    "after_removal_recorded", "after_working", "suspects", "attachments", "requests_heading",
    "password_changed", "account_logs", "requests", "close_forged", "close_removed",
    "close_infected", "close_investigating", "signature",
)  # fmt: skip

# The notice's own codes that leave open whether the reported address was this line's.
ADDRESS_UNSURE = (
    "maybe_this_line",
    "notice_home_line",
    "report_names_other",
    "cgnat_unknowable",
    "shared_address",
)


def paragraphs(m: LetterModel) -> list[str]:
    """The codes of the letter's paragraphs, in order."""
    return [
        *_opening(m),
        *_sighting(m),
        *_notice(m),
        *_this_pc(m),
        *_journal(m),
        *_context(m),
        *_after(m),
        "suspects",
        "attachments",
        *_requests(m),
        _closing(m),
        "signature",
    ]


def _opening(m: LetterModel) -> list[str]:
    out = ["opening"]
    if m.bot:
        out.append("claim_bot")  # the desk's own words: no mail was reported
    elif m.claim.get("any"):
        out.append("claim")
    out.append("checked")
    if m.checked_span:
        out.append("checked_span")
    if m.clock_synchronised:
        out.append("clock_synchronised")
    elif m.clock_known:
        out.append("clock_unsure")
    out += ["findings", "found"]
    if m.notice.get("verdict") == "direct":
        out.append("direct")
    return out


def _sighting(m: LetterModel) -> list[str]:
    s = m.sighting
    if not s:
        return []
    if s["where"] == "line":
        out = ["sighting_line"]
    elif s["identified"]:
        out = ["sighting_program", "sighting_blamed" if s["status"] == "fail" else "sighting_open"]
    else:
        out = ["sighting_unidentified"]
    if m.more_sightings:
        out.append("more_sightings")
    return out


def _notice(m: LetterModel) -> list[str]:
    """What the notice's own headers or report say, when it is more than "sent from here"."""
    notice, gap = m.notice, ["blank"] if m.sighting else []
    if notice.get("verdict") == "forged" and not m.sighting:
        return ["forged", "forged_auth"] if notice.get("auth_results") else ["forged"]
    if notice.get("verdict") == "account":
        return [*gap, "account"]
    if notice.get("conflict"):
        return [*gap, "conflict"]
    if notice.get("code") in ADDRESS_UNSURE:
        return [*gap, "address_unsure"]
    if notice.get("code") == "line_in_sender_part":
        return [*gap, "line_in_sender_part"]
    return []


def _this_pc(m: LetterModel) -> list[str]:
    """What the checks saw of this PC or line, when nothing was sighted."""
    scope = m.scope
    if not scope or m.sighting:
        return []
    out = ["scope_also"] if m.kind in ("forged", "account") else []
    if scope.get("source") == "snapshot":
        out.append("scope_snapshot")
    elif scope.get("where") == "line":
        out.append("scope_line")
    else:
        out.append("scope_pc")
    return out


def _journal(m: LetterModel) -> list[str]:
    j = m.journal
    if not j:
        return []
    if j.get("damaged"):
        return ["journal_damaged"]
    # The head is printed whenever the part cited verified, complete or not: the desk holds the
    # same commitment in reply.json.
    head = ["journal_head"] if j.get("head") else []
    if not j.get("complete"):
        return ["journal_part", *head]
    said = "journal_events" if j.get("events") else "journal_quiet"
    return [said, *head, *(["journal_partial"] if j.get("partial") else [])]


def _context(m: LetterModel) -> list[str]:
    out = []
    if m.uptime_off:
        out.append("uptime_off")
    if m.cgnat:
        out.append("cgnat")
    if m.nothing_found:
        out.append("nothing_found")
    if not m.other_devices_checked and m.kind != "forged":
        out.append("this_pc_only")
    if m.remediation:
        out.append("remediation")
    return out


def _after(m: LetterModel) -> list[str]:
    """After the fixes, for a letter that sighted something."""
    if not m.sighting:
        return []
    if m.removed:
        return ["after_removed"]
    if m.ongoing and m.remediation:
        return ["after_ongoing"]
    if m.removal_recorded:
        return ["after_removal_recorded"]
    return ["after_working"]


def _requests(m: LetterModel) -> list[str]:
    out = ["requests_heading"]
    if m.notice.get("verdict") == "account":
        if m.notice.get("password_changed"):
            out.append("password_changed")
        out.append("account_logs")
    if m.requests:
        out.append("requests")
    return out


def _closing(m: LetterModel) -> str:
    if m.kind == "forged":
        return "close_forged"
    if m.kind == "infected":
        return "close_removed" if m.removed else "close_infected"
    return "close_investigating"
