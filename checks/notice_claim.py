"""What a provider's notice claims, read from its words: times, addresses, ports, counts, the
reference, the provider and where a reply goes.

Pure functions over text. Addresses inside links ("http://198.51.100.7/verify") are no claim:
a spam that imitates a notice carries them, and a notice names its source beside a word that
says so (送信元, source, from).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import tzinfo
from typing import Any

from checks.notice_time import find_times, normalise_text

# --- the claim --------------------------------------------------------------------------------

# An address ends a sentence as often as not ("… from 203.0.113.5."), sits right after a colon
# that was full-width ("送信元IPアドレス：2001:db8::25") and right before Japanese ("…::25から"),
# and an IPv6 prefix ends in "::" ("2001:db8:4a:1200::/64"): only an ASCII letter, digit or
# another part of an address beside it means it is not one. A sender's IPv6 address starts
# with a digit group (2000::/3); "::1" and "::ffff:192.0.2.1" (read as its IPv4 address) do not.
IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?!\d|\.[0-9A-Za-z])")
IPV6 = re.compile(
    r"(?:(?<![:0-9A-Za-z_])|(?<=[^:]:))"
    r"([0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,8}(?:(?<=[0-9A-Fa-f])|(?<=::)))"
    r"(?![0-9A-Za-z_]|\.\d|:[:0-9A-Fa-f])"
)
SOURCE_WORDS = re.compile(
    r"(送信元|発信元|接続元|source|src|from|Source-IP|IPアドレス|IP address)", re.I
)
PORT_PATTERNS = (
    re.compile(r"ポート(?:番号)?\s*[:：]?\s*(\d{1,5})", re.I),
    re.compile(r"(\d{1,5})\s*番ポート"),
    re.compile(r"\bport\s*[:#]?\s*(\d{1,5})\b", re.I),
    re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}:(\d{1,5})\b"),
)
SOURCE_PORT_WORDS = re.compile(r"(送信元|発信元|接続元|source|src|from)", re.I)
DEST_PORT_WORDS = re.compile(r"(宛先|送信先|あて先|接続先|destination|dst|to)", re.I)
MAIL_PORTS = {25, 465, 587, 2525}
COUNT = re.compile(
    # A number starts where no digit or comma stands before it, and is digits with optional
    # thousands commas: one pass over a long run of "1,1,1,…" instead of one per position.
    # (A Japanese counter word is followed by more Japanese, so no \b after it.)
    r"(約|およそ|about|approximately|approx\.?)?\s*(?<![\d,])(\d{1,3}(?:,\d{3})+|\d+)\s*"
    r"(通|件|messages?(?![A-Za-z])|e-?mails?(?![A-Za-z])|mails?(?![A-Za-z]))",
    re.I,
)
REFERENCE = re.compile(
    r"(?:受付番号|管理番号|整理番号|お問い?合わせ番号|問合せ番号|案件番号|チケット番号|参照番号|"
    # English labels only as whole words ("reference" is not "Ref" + "erence", "Showcase" is no
    # "Case"); a value without a digit is a word ("our reference in …"), not a number.
    r"(?<![A-Za-z])(?:Reference(?: (?:No\.?|number|ID))?|Ticket(?: (?:No\.?|ID|number))?|"
    r"Case(?: ID| No\.?)?|Ref\.?)(?![A-Za-z]))"
    r"\s*[:：#]?\s*([A-Za-z0-9][A-Za-z0-9\-_/#]{2,40})",
    re.I,
)
# An address starts where its local part starts: without the look-behind, every position inside
# a long run of word characters was a new start that scanned to the run's end (1 MB of digits
# took minutes; bench/parsers_linear.py, which `make test` now runs with --check).
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Where a reply goes: an abuse or support desk's address in the notice (or its From).
REPLY_LOCALS = re.compile(r"^(abuse|security|support|noc|spam|postmaster|info|fbl|report)", re.I)
# A reference in parentheses with no label, as subject lines carry it:
# 「【重要】迷惑メール送信に関するお知らせ（ABU-2026-1120-0042）」.
REFERENCE_IN_PARENS = re.compile(r"[（(]\s*([A-Z]{2,}[A-Z0-9]*(?:-[A-Z0-9]+){1,5})\s*[）)]")
PROVIDER = re.compile(
    r"(株式会社\s?[^\s　、。,（(<]{2,30}|[^\s　、。,:：（(<A-Za-z0-9]{2,30}株式会社|"
    r"[A-Z][\w&.\-]*(?: [A-Z][\w&.\-]*){0,4},? (?:Inc\.|Co\., Ltd\.|Ltd\.|Corporation|K\.K\.))"
)
# English keywords only as whole words: "tools.ietf.org" holds "to" + "ols.ietf.org".
DESTINATION = re.compile(
    r"(?:宛先|送信先|あて先|(?<![A-Za-z])(?:destination|recipient server|to)(?![A-Za-z]))"
    r"\s*[:：]?\s*([A-Za-z0-9.\-]+\.[A-Za-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})",
    re.I,
)


def references(text: str) -> list[str]:
    labelled = [m.group(1).strip("#") for m in REFERENCE.finditer(text)]
    return [r for r in labelled if any(ch.isdigit() for ch in r)] + [
        m.group(1) for m in REFERENCE_IN_PARENS.finditer(text)
    ]


# Links: an address inside one is where the link goes, not where mail came from.
URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'）)」]+", re.I)


def without_links(text: str) -> str:
    return URL.sub(" ", text)


def ips(text: str) -> list[str]:
    """Every IPv4 and IPv6 address written in the text, in order, once each."""
    return list(dict.fromkeys(ip for ip, _at in _written_addresses(text)))


def _written_addresses(text: str) -> list[tuple[str, int]]:
    """Each address as read (its one spelling: "2001:DB8::0025" is 2001:db8::25) and where the
    notice wrote it, every time it did: IPv4 first, then IPv6."""
    out = []
    for m in list(IPV4.finditer(text)) + list(IPV6.finditer(text)):
        try:
            address = ipaddress.ip_address(m.group(1))
        except ValueError:  # a time (14:05:33), a MAC address: no address
            continue
        out.append((str(address), m.start(1)))
    return out


def _named_as_source(text: str) -> list[str]:
    """The addresses a source word (送信元, source, from…) stands just before, anywhere the
    notice writes them, in the order of ``ips``."""
    written = _written_addresses(text)
    named = {ip for ip, at in written if SOURCE_WORDS.search(text[max(0, at - 40) : at])}
    return [ip for ip in dict.fromkeys(ip for ip, _at in written) if ip in named]


# The provider's words that the mail account was used: its ID or password misused, stolen or
# leaked, a login (SMTP authentication) by someone else. Generic advice ("change your
# passwords") says nothing of the kind and does not match.
_ACCOUNT = r"(?:メールアカウント|アカウント|パスワード|認証情報|SMTP認証|送信認証)"
_MISUSE = (
    r"(?:不正(?:に)?(?:利用|使用|ログイン|アクセス)|第三者(?:に|によ)[^。\n]{0,15}"
    r"(?:利用|使用|ログイン|送信)|盗(?:ま|用)|漏(?:洩|えい)|流出|乗っ取)"
)
# A report of a bot, not of spam: botnet traffic, a C&C server, a sinkhole (the words desks and
# CERTs write). "ウイルス感染などにより…可能性" in a spam notice is advice, not such a report.
BOT_WORDS = re.compile(
    r"(?<!ロ)ボット|botnet|(?<![a-z\u00c0-\u024f])bots?(?![a-z\u00c0-\u024f])|C&C"
    r"|C2[\s-]*(?:サーバ|server)"
    r"|command[- ]and[- ]control"
    r"|シンクホール|sinkhole",
    re.I,
)
# Families abuse desks and CERT feeds name (Shadowserver's, JPCERT/CC's and NICT's reports).
MALWARE_FAMILIES = (
    "Mirai",
    "Emotet",
    "Qakbot",
    "TrickBot",
    "Dridex",
    "IcedID",
    "Conficker",
    "Zeus",
    "Necurs",
    "Cutwail",
    "Kelihos",
    "Andromeda",
    "Gamut",
    "Lethic",
    "Ursnif",
    "Gozi",
    "Gafgyt",
    "Bashlite",
    "Mozi",
    "Glupteba",
    "Amadey",
    "SmokeLoader",
    "Tofsee",
    "Pushdo",
    "Avalanche",
    "ZeroAccess",
    "Sality",
    "Ramnit",
    "Gamarue",
    "Virut",
    "Downadup",
    "Nymaim",
    "Matsnu",
    "Hajime",
    "Satori",
    "Moobot",
)
# Families that live on routers, cameras, recorders and TV boxes (Linux on small devices), not
# on Windows or Mac PCs: a notice naming one points at the home's other devices.
IOT_FAMILIES = frozenset({"Mirai", "Mozi", "Gafgyt", "Bashlite", "Hajime", "Satori", "Moobot"})
# Not \b: in "BOT感染" or "Mirai感染" a Japanese character follows, and it counts as a letter.
FAMILY = re.compile(r"(?<![a-z])(" + "|".join(MALWARE_FAMILIES) + r")(?![a-z])", re.I)
_AS_WRITTEN = {f.lower(): f for f in MALWARE_FAMILIES}
SAW = re.compile(r"確認|観測|検知|検出|observed|detected|seen|connect|contact", re.I)
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+|\n\s*\n")
ACCOUNT_USED = re.compile(
    rf"{_ACCOUNT}[^。\n]{{0,40}}{_MISUSE}|{_MISUSE}[^。\n]{{0,40}}{_ACCOUNT}"
    r"|(?i:(?:e-?mail |mail(?:box)? |smtp )?(?:account|password|credentials|login)s?"
    r"[^.\n]{0,40}(?:compromised|stolen|leaked|misused|abused|hijacked|hacked"
    r"|used by (?:a |an )?(?:third part|unauthori[sz]ed))"
    r"|(?:compromised|stolen|leaked|hijacked|hacked)[^.\n]{0,40}"
    r"(?:e-?mail |mail(?:box)? |smtp )?(?:account|password|credentials|login)s?"
    r"|authenticated (?:smtp|submission|as your account))"
)


# Whom the notice is written to, and the contract it names: step 5 and the letter do not ask
# again for what the provider already wrote ("山田 太郎 様" on the first line, "ご契約者番号：…").
ADDRESSEE = re.compile(
    r"^[ \t　]*(?P<ja>[^\s、。:：様殿][^\n、。:：]{0,28}?)[ \t　]*(?:様|殿)[ \t　]*$"
    r"|^[ \t]*Dear (?:(?:Mr|Mrs|Ms|Dr)\.? )?(?P<en>[A-Z][\w'\-]*(?: [A-Z][\w'\-]*){0,3}),[ \t]*$",
    re.M,
)
NOT_A_NAME = re.compile(
    r"(?i)^(?:お客|ご契約|契約者|ご担当|担当者|会員|ご利用|各位|customer|subscriber|user|sir"
    r"|madam|client|valued|member|team|all)"
)
CONTRACT = re.compile(
    r"(?:ご契約者番号|契約者番号|ご契約番号|お客様番号|お客さま番号|お客様ID|お客さまID|会員番号"
    r"|(?i:customer (?:id|number|no\.?)|contract (?:id|number|no\.?)|account (?:id|number|no\.?)))"
    r"[ \t　]*[:：#]?[ \t　]*([A-Za-z0-9][A-Za-z0-9\-]{2,29})"
)


def addressee(text: str) -> str | None:
    """The name the notice is addressed to, from its first lines; None for "お客様", "Dear
    Customer" and the like."""
    for m in ADDRESSEE.finditer(text[:2000]):
        name = (m.group("ja") or m.group("en") or "").strip()
        if name and not NOT_A_NAME.match(name):
            return name
    return None


def _ports(text: str) -> tuple[list[int], list[int]]:
    """(source ports, destination ports) the notice names, by the words before each."""
    source_ports: list[int] = []
    dest_ports: list[int] = []
    for pattern in PORT_PATTERNS:
        for m in pattern.finditer(text):
            port = int(m.group(1))
            if not 0 < port < 65536:
                continue
            before = text[max(0, m.start() - 12) : m.start() + 6]
            if DEST_PORT_WORDS.search(before) and not SOURCE_PORT_WORDS.search(before):
                target = dest_ports
            elif SOURCE_PORT_WORDS.search(before):
                target = source_ports
            else:
                target = dest_ports if port in MAIL_PORTS else source_ports
            if port not in target:
                target.append(port)
    return source_ports, dest_ports


def _sentences(text: str) -> list[str]:
    # A line of spaces (full-width ones too) is a blank line: it ends a paragraph. A Japanese
    # sentence broken over lines joins without a space; an English one with one.
    flat = re.sub(r"\n[^\S\n]+(?=\n)", "\n", text)
    flat = re.sub(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])", "", flat)
    flat = re.sub(r"(?<!\n)\n(?!\n)", " ", flat)
    return [t for t in _SENTENCE_END.split(flat) if t and t.strip()]


def _as_written(sentence: str, original: str | None) -> str:
    """The sentence as the desk wrote it (full-width brackets and colons kept), when it can
    be found in the text before normalising; else as read."""
    said = " ".join(sentence.split())
    for candidate in _sentences(without_links(original)) if original else ():
        if " ".join(normalise_text(candidate).split()) == said:
            return " ".join(candidate.split())
    return said


def bot_report(plain: str, original: str | None = None) -> dict[str, Any] | None:
    """What a notice that reports a bot says: the sentence that says it (the desk's own words,
    which a reply repeats as its evidence) and the malware family it names."""
    sentences = _sentences(plain)
    # What the desk saw ("C&C への通信を確認", "Emotet 感染端末からの通信を確認"); a family named
    # only as a warning ("Emotet などに感染している可能性") is no report of a bot.
    seen = [t for t in sentences if (BOT_WORDS.search(t) or FAMILY.search(t)) and SAW.search(t)]
    said = seen or [t for t in sentences if BOT_WORDS.search(t)]
    if not said:
        return None
    return {"evidence": _as_written(said[0], original)[:500], "family": malware_family(plain)}


def malware_family(text: str) -> str | None:
    """The first malware family ``text`` names, as the family is usually written."""
    found = FAMILY.search(text)
    return _AS_WRITTEN[found.group(1).lower()] if found else None


def extract_claim(text: str, local_zone: tzinfo) -> dict[str, Any]:
    written = text[:2_000_000]
    text = normalise_text(text)[:2_000_000]
    # A time without a zone is read in Japan's zone in a Japanese notice and in the user's zone
    # otherwise (and marked as assumed, so the reply asks for exact times with the zone).
    times = find_times(text, default_zone=local_zone)
    plain = without_links(text)
    found = ips(plain)
    sources = _named_as_source(plain)
    source_ports, dest_ports = _ports(text)
    counts = []
    approximate_count = False
    for m in COUNT.finditer(text):
        try:
            counts.append(int(m.group(2).replace(",", "")))
        except ValueError:
            continue
        approximate_count = approximate_count or bool(m.group(1))
    refs = references(text)
    provider = PROVIDER.search(text)
    emails = list(dict.fromkeys(EMAIL.findall(text)))
    reply_to = next((e for e in emails if REPLY_LOCALS.match(e)), None)
    dests = [m.group(1) for m in DESTINATION.finditer(text) if m.group(1) not in sources]
    account = {"account_used": True} if ACCOUNT_USED.search(plain) else {}
    bot = bot_report(plain, written)
    if bot is not None:
        account["bot_report"] = bot
    # Written only when the notice gives them, like account_used.
    to = addressee(text)
    contract = CONTRACT.search(text)
    named = {"addressee": to} if to else {}
    if contract:
        named["contract_id"] = contract.group(1)
    return {
        "times": [t.as_facts(local_zone) for t in times],
        "ips": found,
        "source_ips": sources or found[:1],
        # Addresses the notice itself names as the source (beside 送信元, source, from): the
        # provider's word for which address this contract had at the reported time.
        "named_sources": sources,
        "source_ports": source_ports,
        "destination_ports": dest_ports,
        "destinations": list(dict.fromkeys(dests)),
        "message_counts": counts,
        "count_approximate": approximate_count,
        "reference": refs[0] if refs else None,
        "provider": provider.group(1).strip() if provider else None,
        "reply_to": reply_to,
        **account,
        **named,
    }
