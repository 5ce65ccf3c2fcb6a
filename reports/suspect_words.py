"""The household's suspects in words: names, standings, clues and what would decide each, for
the report and the window (addressed to the user) and for the letter (in the writer's voice).
The decider is cases/suspects.py; nothing here decides."""

from __future__ import annotations

from dataclasses import dataclass

from cases import suspects as S
from checks.i18n import N_, Np_, _, ngettext

NAMES = {
    S.THIS_PC: N_("This PC"),
    S.OTHER_DEVICE: N_("Another device at home (a phone, tablet, TV, game console or camera)"),
    S.ROUTER: N_("The router"),
    S.ACCOUNT: N_("The mail account (a stolen password)"),
    S.NOT_THIS_LINE: N_("Not this line (the sender was forged)"),
}
STANDINGS = {
    S.LIKELY: N_("Likely"),
    S.POSSIBLE: N_("Possible"),
    S.UNKNOWN: N_("Not known yet"),
    S.UNLIKELY: N_("Unlikely"),
    S.RULED_OUT: N_("Ruled out"),
}
CLUES = {
    "sent_from_this_pc": N_("{program} on this PC was seen sending mail."),
    "mail_traffic_on_this_pc": N_("This PC made mail connections not explained yet."),
    "proxyware_on_this_pc": N_(
        "{names} on this PC sells the line's connection to strangers, who send their traffic"
        " through it."
    ),
    "off_at_claimed_times": N_("This PC was off or asleep at every reported time."),
    "journal_clean_at_claimed_times": N_(
        "The journal recorded every connection of this PC at the reported times: none went to"
        " a mail server."
    ),
    "journal_saw_mail_submission": Np_(
        "The journal recorded {n} connection of this PC to a mail server's submission port"
        " (587 or 465) around the reported times: the PC's own mail program, or a program using"
        " the mail password.",
        "The journal recorded {n} connections of this PC to a mail server's submission port"
        " (587 or 465) around the reported times: the PC's own mail program, or a program using"
        " the mail password.",
    ),
    "journal_partly_clean_at_claimed_times": N_(
        "The journal ran at the reported times and saw no mail connection, but it looks a few"
        " times a second and can miss a short one."
    ),
    "clean_watch_since": N_(
        "A watch of this PC since then saw no mail connection (it does not cover the reported"
        " times)."
    ),
    "seen_sending_on_the_line": N_("A device on the line ({host}) was seen sending mail."),
    "mail_traffic_on_the_line": N_(
        "A device on the line ({host}) made mail connections not explained yet."
    ),
    "line_sent_but_not_this_pc": N_(
        "The notice's headers show the mail left through this line, and this PC did not send it"
        " at that time."
    ),
    "line_sent_it": N_("The notice's headers show the mail left through this line."),
    "other_devices_present": N_("{n} other devices were seen on the home network."),
    "line_capture_clean_at_claimed_times": N_(
        "A capture of the whole line at the reported times shows no mail traffic."
    ),
    "upnp_maps_a_mail_or_proxy_port": N_(
        "The router forwards a mail or proxy port from the internet (UPnP)."
    ),
    "upnp_unexplained_mapping": N_("The router has a port forwarding nobody here explains (UPnP)."),
    "router_admin_open": N_("The router's administration (telnet) is open."),
    "router_management_open": N_("The router's remote management can be reached."),
    "dns_server_unplaced": N_(
        "This PC was given a DNS server ({servers}) that is neither the router nor a well-known"
        " public one: a changed router setting, or the provider's own."
    ),
    "router_checked_from_inside": N_(
        "Its port forwardings and administration were checked from this PC and nothing was"
        " found; a hijacked router's own traffic cannot be seen from here."
    ),
    "notice_shows_a_login": N_(
        "The notice's headers show the mail was sent by logging in to a mail account."
    ),
    "listed_on_authbl": N_(
        "The line's address is on Spamhaus AuthBL, a list of addresses that sent mail with"
        " stolen logins."
    ),
    "provider_says_the_account_was_used": N_(
        "The provider's notice says the mail account (its password) was used to send the mail."
    ),
    "sent_directly_not_through_an_account": N_(
        "The mail went straight from the line to the receiving server, without logging in to a"
        " mail account."
    ),
    "headers_show_another_origin": N_(
        "The notice's headers show the mail came from elsewhere; this line's address was only"
        " named in it."
    ),
    "headers_show_this_line": N_("The notice's headers show the mail came through this line."),
    "headers_show_a_login_elsewhere": N_(
        "The notice's headers show the mail was sent by logging in to a mail account from"
        " another address: not through this line, but not forged either."
    ),
    "headers_show_a_login_maybe_from_this_line": N_(
        "The notice's headers show the mail was sent by logging in to a mail account, so it was"
        " not forged; whether the address the login came from was this line's at the time is not"
        " known here."
    ),
    "headers_show_a_login_from_an_unseen_address": N_(
        "The notice's headers show the mail was sent by logging in to a mail account, so it was"
        " not forged; they do not show from which address the login came."
    ),
    "sending_seen_at_home": N_("Mail sending was seen at home."),
    "notice_names_an_iot_bot": N_(
        "The provider's notice names {family}, which infects cameras, recorders, TV boxes and"
        " other small devices."
    ),
    "notice_names_an_iot_bot_router": N_(
        "The provider's notice names {family}, which also infects home routers."
    ),
    "notice_reports_a_bot_not_mail": N_(
        "The notice reports a device's traffic to a botnet, not mail sent with a password."
    ),
    "iot_bot_not_this_pc": N_(
        "{family}, which the notice names, does not run on Windows or Mac PCs (this PC could"
        " still be involved for another reason)."
    ),
}
# What would decide an open suspect, as something the user can do.
DECIDE = {
    "keep_the_journal_running": N_(
        "Keep Clearline's journal running: at the next reported time it shows which program sent."
    ),
    "look_at_the_other_devices": N_(
        "Look at the phones, tablets and TVs at home: remove free VPN apps, apps that pay you"
        " for sharing your internet, browser extensions you do not know and unknown TV boxes."
        " To find which device it is, take them all off the Wi-Fi and reconnect them one at a"
        " time, as Spamhaus advises."
    ),
    "look_at_the_router": N_(
        "Open the router's settings page: update its firmware, change its password, and turn"
        " off UPnP and remote administration if you do not use them."
    ),
    "ask_for_the_accounts_sending_log": N_(
        "Change the mail password from a clean device (a phone on mobile data), look at the"
        " account's sent folder and login history, and do not use that password anywhere else."
    ),
    "ask_for_the_full_headers": N_(
        "Ask the provider for one of the messages with its full headers."
    ),
    "ask_for_the_source_port": N_(
        "Ask the provider for the exact time and the source port of the connection: they show"
        " whether it was this line's."
    ),
}
# What to do about a suspect that is likely (nothing is left to decide; something to act on).
ACT = {
    S.THIS_PC: N_(
        "Follow step 4: take this PC off the internet, scan it and remove the program, then"
        " watch the line again."
    ),
    S.OTHER_DEVICE: DECIDE["look_at_the_other_devices"],
    S.ROUTER: DECIDE["look_at_the_router"],
    S.ACCOUNT: DECIDE["ask_for_the_accounts_sending_log"],
    S.NOT_THIS_LINE: N_(
        "Reply to the provider with what the headers show (step 5), and ask which report"
        " named your line."
    ),
}
# The same, as the letter says it to the provider: what the writer is doing or asks for.
LETTER_DECIDE = {
    "keep_the_journal_running": N_(
        "Nothing here shows what this PC did at the reported times themselves."
    ),
    "look_at_the_other_devices": N_(
        "This tool cannot examine them; I am checking the phones, tablets and TVs at home for"
        " free VPN apps and apps that share the internet connection."
    ),
    "look_at_the_router": N_("I am checking the router's firmware and settings."),
    "ask_for_the_accounts_sending_log": N_(
        "Could you tell me whether my mail account was used to send the reported mail?"
    ),
    "ask_for_the_full_headers": N_("One of the messages with its full headers would settle this."),
    "ask_for_the_source_port": N_(
        "The exact time and the source port of the connection would show whether it was my line's."
    ),
}


# The same for a likely suspect: what the writer is doing about it (this PC's removal is the
# letter's own paragraphs; a forged sender needs nothing done).
LETTER_ACT = {
    S.OTHER_DEVICE: LETTER_DECIDE["look_at_the_other_devices"],
    S.ROUTER: LETTER_DECIDE["look_at_the_router"],
    S.ACCOUNT: N_(
        "I am changing the mail password from a clean device and checking the account's sent"
        " mail and login history."
    ),
}
# ... once the user has recorded the change (the letter says when, under what was done).
ACCOUNT_CHANGED = N_(
    "I have changed the mail password from a clean device and am checking the account's sent"
    " mail and login history."
)


@dataclass(frozen=True)
class Line:
    who: str
    name: str
    standing: str  # the code, for colours
    standing_words: str
    clues: tuple[str, ...]  # for, then against
    examined: bool  # False: nothing examined bears on it (clues says so in one sentence)
    next: str  # for the user: what would decide it, or what to do when it is likely
    letter_next: str


def lines(ranked: tuple[S.Suspect, ...], password_changed: bool = False) -> list[Line]:
    """The ranking in the current language, most likely first. ``password_changed``: the user
    recorded the mail password's change (the letter then says it was done, not that it is being
    done)."""
    out = []
    for s in ranked:
        clues = tuple(_clue(c) for c in (*s.clues_for, *s.clues_against)) or (
            _("Nothing examined so far speaks for or against it."),
        )
        out.append(
            Line(
                s.who,
                _(NAMES[s.who]),
                s.standing,
                _(STANDINGS[s.standing]),
                clues,
                bool(s.clues_for or s.clues_against),
                _what_to_do(s),
                _letter_next(s, password_changed),
            )
        )
    return out


def _letter_next(s: S.Suspect, password_changed: bool = False) -> str:
    """For the provider: what the writer asks or does about an open suspect, and, for a likely
    one Clearline cannot examine, what the writer is doing instead (the letter says plainly what
    was not examined)."""
    if s.decide:
        return _(LETTER_DECIDE[s.decide])
    if s.standing == S.LIKELY and s.who == S.ACCOUNT and password_changed:
        return _(ACCOUNT_CHANGED)
    if s.standing == S.LIKELY and s.who in LETTER_ACT:
        return _(LETTER_ACT[s.who])
    return ""


def _what_to_do(s: S.Suspect) -> str:
    """For the user: what would decide an open suspect, or what to do about a likely one."""
    if s.decide:
        return _(DECIDE[s.decide])
    if s.standing == S.LIKELY:
        return _(ACT[s.who])
    return ""


def _clue(c: S.Clue) -> str:
    params = dict(c.params)
    if "program" in params:
        params["program"] = params["program"] or _("A program")
    if "host" in params:
        params["host"] = params["host"] or "?"
    message = CLUES[c.code]
    if isinstance(message, tuple):  # counted: (singular, plural, the count's param)
        text = ngettext(message[0], message[1], int(params.get(message[2]) or 0))
    else:
        text = _(message)
    return text.format(**params)
