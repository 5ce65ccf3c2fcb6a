"""What a notice says about the source address, over generated notices: the line's address is
read wherever and however the notice writes it, and named as the source when a source word
stands before it.

The property that would have caught three false readings found in real-world spellings: an
IPv4 address ending an English sentence ("… from 203.0.113.5.") and an IPv6 address right after
a full-width colon ("送信元IPアドレス：2001:db8::25") were not read at all, and an IPv6 address
in capitals or with leading zeros was never the named source. An unread source address makes
the notice reader decide without the line's own address: the way to a false "not your line"."""

from __future__ import annotations

import ipaddress
from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from checks.notice_claim import extract_claim, ips

SOURCE_LABELS = (
    "送信元IPアドレス：",
    "送信元IPアドレス: ",
    "送信元 ",
    "接続元IP：",
    "Source IP: ",
    "Source-IP:",
    "source address ",
    "spam was sent from ",
    "IP address ",
    "IPアドレス（",
    "IPアドレス「",
)
OTHER_LABELS = ("", "the address ", "アドレス ", "(", "[", "<", "\n")
AFTER = (
    "",
    ".",
    "。",
    "から",
    "から送信されました。",
    " ",
    ")",
    "）",
    "]",
    "」",
    ",",
    "、",
    ";",
    "\n",
    " at 14:05:33 UTC.",
    "を確認しました。",
)

# Addresses a notice names as a sender: any IPv4 address but 0.0.0.0, and an IPv6 address
# that starts with a group of digits, as every global one does (2000::/3); not "::1" or
# ::ffff:192.0.2.1, which is read as its IPv4 address.
addresses = st.one_of(
    st.ip_addresses(v=4).filter(lambda a: not a.is_unspecified),
    st.ip_addresses(v=6).filter(lambda a: not str(a).startswith("::")),
)


def spellings(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> st.SearchStrategy[str]:
    if address.version == 4:
        return st.just(str(address))
    return st.sampled_from(
        [str(address), str(address).upper(), address.exploded, address.exploded.upper()]
    )


@st.composite
def notices(draw, labels):
    address = draw(addresses)
    written = draw(spellings(address))
    before = draw(st.sampled_from(("", "迷惑メールについて。\n", "Dear customer,\n\n")))
    text = before + draw(st.sampled_from(labels)) + written + draw(st.sampled_from(AFTER))
    return str(address), text


@given(notices(SOURCE_LABELS + OTHER_LABELS))
def test_an_address_is_read_however_the_notice_writes_it(case):
    address, text = case
    assert address in ips(text) or address in extract_claim(text, UTC)["ips"], text


@given(notices(SOURCE_LABELS))
def test_an_address_after_a_source_word_is_the_named_source(case):
    address, text = case
    assert extract_claim(text, UTC)["named_sources"] == [address], text
