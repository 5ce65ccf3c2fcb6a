"""checks/notice_claim.py, one exact claim per situation a provider's notice writes: whom it is
addressed to and the contract it names, that the mail account was used, the reference, the
source address among others, and a bot report's evidence as the desk wrote it.

Written after mutation testing (docs/mutation.md): the notice reader's answers and goldens read
these through checks/notice.py and left a sixth of the mutants alive, among them a contract
number, `account_used` and an English addressee that could be dropped or renamed unnoticed.
Each scenario is built inside its test (mutmut credits a function only to the tests that call
it while they run), and the whole claim is compared: a key written wrongly, or one written that
the notice does not give, fails as surely as a wrong value."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from checks.notice_claim import addressee, bot_report, extract_claim

# What a notice that gives none of the facts claims: every test states what its notice adds.
NOTHING: dict[str, Any] = {
    "times": [],
    "ips": [],
    "source_ips": [],
    "named_sources": [],
    "source_ports": [],
    "destination_ports": [],
    "destinations": [],
    "message_counts": [],
    "count_approximate": False,
    "reference": None,
    "provider": None,
    "reply_to": None,
}


def claim_of(text: str) -> dict[str, Any]:
    return extract_claim(text, UTC)


# --- whom the notice is written to, and the contract ---------------------------------------


def test_a_japanese_notice_names_its_addressee_and_the_contract_number():
    text = "山田 太郎 様\n\nご契約者番号：CA-20261120\n\n迷惑メールの送信を確認しました。\n"
    assert claim_of(text) == {**NOTHING, "addressee": "山田 太郎", "contract_id": "CA-20261120"}


def test_an_english_greeting_names_the_addressee_without_the_title():
    text = "Dear Mr. Taro Yamada,\n\nWe received reports of spam sent from your line.\n"
    assert claim_of(text) == {**NOTHING, "addressee": "Taro Yamada"}


def test_a_greeting_to_the_customer_in_general_names_nobody():
    # "お客様" and "Dear Customer" are no name: the letter must not greet "お客" by name.
    assert claim_of("お客様\n\n迷惑メールの送信を確認しました。\n") == NOTHING
    assert claim_of("Dear Customer,\n\nWe received reports of spam.\n") == NOTHING


def test_the_addressee_is_read_from_the_first_2000_characters_only():
    # A name line is looked for in the notice's opening, not in a quoted mail further down.
    # The filler line is sized so that 様 is the 2000th character, then the 2001st.
    for filler, expected in ((1992, "山田 太郎"), (1993, None)):
        text = "-" * filler + "\n山田 太郎 様\n本文"
        assert text.index("様") == filler + 7  # index 1999, then 2000
        assert addressee(text) == expected


# --- what the provider says happened ---------------------------------------------------------


def test_a_password_used_by_a_third_party_is_a_claim_that_the_account_was_used():
    text = (
        "お客様のメールアカウントのパスワードが第三者に不正利用され、迷惑メールが送信されています。"
    )
    assert claim_of(text) == {**NOTHING, "account_used": True}


def test_an_english_notice_that_the_account_was_compromised_says_the_same():
    text = "Your email account password was compromised and used to send spam."
    assert claim_of(text) == {**NOTHING, "account_used": True}


def test_a_reference_starting_with_a_letter_keeps_it():
    # Stripping only a stray "#", never a letter: the reply quotes the reference back.
    assert claim_of("Ticket ID: X7731-2026\n") == {**NOTHING, "reference": "X7731-2026"}


def test_a_hash_closing_a_reference_is_no_part_of_it():
    assert claim_of("Case ID: 48213#\n") == {**NOTHING, "reference": "48213"}


# --- addresses ------------------------------------------------------------------------------


def test_an_ipv6_source_after_a_time_with_seconds_is_read():
    # "14:05:33" looks like an IPv6 address to the pattern and is not one: the addresses after
    # it are still read.
    text = "Report 2026/11/20 14:05:33 UTC. Source IP: 2001:db8:4a:1200::25\n"
    source = ["2001:db8:4a:1200::25"]
    assert claim_of(text) == {
        **NOTHING,
        "times": [
            {
                "text": "2026/11/20 14:05:33 UTC",
                "utc": "2026-11-20T14:05:33+00:00",
                "local": "2026-11-20T14:05:33+00:00",
                "notice_local": "2026-11-20T14:05:33+00:00",
                "zone": "UTC",
                "zone_assumed": False,
                "approximate": False,
            }
        ],
        "ips": source,
        "source_ips": source,
        "named_sources": source,
    }


def test_an_address_named_as_the_source_stays_so_when_written_again_later():
    # The second mention has no source word before it; the first one decides.
    text = (
        "送信元IPアドレス：198.51.100.7\n\n"
        "お客様の回線で迷惑メールを送信している機器がないかご確認ください。"
        "ご確認後、198.51.100.7 の利用制限を解除いたします。"
    )
    source = ["198.51.100.7"]
    assert claim_of(text) == {
        **NOTHING,
        "ips": source,
        "source_ips": source,
        "named_sources": source,
    }


# --- a bot report's evidence --------------------------------------------------------------------


def test_a_bot_reports_evidence_keeps_the_desks_full_width_brackets_and_colon():
    # The reply repeats the desk's own words as written, not as normalised for reading
    # ("(IPアドレス:…)"); the line's address beside IPアドレス is the source the notice names.
    text = (
        "当社にて、お客様の回線（IPアドレス：203.0.113.45）から C&C サーバへの通信を確認しました。"
    )
    source = ["203.0.113.45"]
    assert claim_of(text) == {
        **NOTHING,
        "ips": source,
        "source_ips": source,
        "named_sources": source,
        "bot_report": {"evidence": text, "family": None},
    }


def test_a_bot_reports_evidence_leaves_out_the_link_it_quotes():
    # A reply must not carry a live link to a C&C server; the words around it stay.
    text = "当社にて、お客様の回線から C&C サーバ http://198.51.100.7/gate.php への通信を確認しました。"
    assert claim_of(text) == {
        **NOTHING,
        "bot_report": {
            "evidence": "当社にて、お客様の回線から C&C サーバ への通信を確認しました。",
            "family": None,
        },
    }


def test_a_japanese_sentence_broken_over_lines_joins_without_a_space():
    # Mails are wrapped at a fixed width, in the middle of a word (通|信).
    text = "当社にて、お客様の回線からEmotetのC&Cサーバへの通\n信を確認しました。"
    assert claim_of(text) == {
        **NOTHING,
        "bot_report": {
            "evidence": "当社にて、お客様の回線からEmotetのC&Cサーバへの通信を確認しました。",
            "family": "Emotet",
        },
    }


def test_an_english_sentence_broken_over_lines_joins_with_a_space():
    text = "We observed connections from your IP address to a botnet\ncommand and control server."
    assert claim_of(text) == {
        **NOTHING,
        "bot_report": {
            "evidence": "We observed connections from your IP address to a botnet command and"
            " control server.",
            "family": None,
        },
    }


def test_a_bot_reports_evidence_is_cut_at_500_characters():
    # One sentence listing the servers contacted, longer than a reply quotes.
    servers = "、".join(f"198.51.{n}.7" for n in range(60))
    text = f"当社にて、お客様の回線から以下のC&Cサーバへの通信を確認しました：{servers}。"
    assert len(text) > 501
    claim = claim_of(text)
    assert claim["bot_report"] == {"evidence": text[:500], "family": None}


def test_a_bot_report_read_alone_quotes_the_sentence_as_read():
    # Without the text as written, the words are quoted as given, whitespace made single.
    said = "Our sinkhole observed your IP address connecting to a Mirai  botnet."
    assert bot_report(said) == {
        "evidence": "Our sinkhole observed your IP address connecting to a Mirai botnet.",
        "family": "Mirai",
    }


# --- found by writing these answers: each failed before its fix ---------------------------------


def test_an_ipv6_source_right_after_a_full_width_colon_is_read():
    # Japanese notices write "：" with no space; read as ":", it sat where the address pattern
    # refused to start, and the line's own address went unread.
    for text in (
        "送信元IPアドレス：2001:db8:4a:1200::25 から迷惑メールが送信されました。",
        "送信元IPアドレス：2001:db8:4a:1200::25から迷惑メールが送信されました。",
    ):
        source = ["2001:db8:4a:1200::25"]
        assert claim_of(text) == {
            **NOTHING,
            "ips": source,
            "source_ips": source,
            "named_sources": source,
        }, text


def test_an_ipv6_source_written_in_capitals_or_with_leading_zeros_is_named_as_the_source():
    # The source word was looked for before the canonical spelling, which the notice did not use.
    for text in (
        "Source IP: 2001:DB8:4A:1200::25 sent spam.",
        "Source IP: 2001:0db8:004a:1200::0025 sent spam.",
    ):
        source = ["2001:db8:4a:1200::25"]
        assert claim_of(text) == {
            **NOTHING,
            "ips": source,
            "source_ips": source,
            "named_sources": source,
        }, text


def test_a_line_holding_only_spaces_ends_the_paragraph_before_a_bot_reports_evidence():
    # A heading above a "blank" line of a full-width or plain space was read into the desk's
    # sentence, which the reply quotes back as the desk's own words.
    for heading, space, said in (
        (
            "ボット感染のお知らせ",
            "　",
            "当社にて、お客様の回線からC&Cサーバへの通信を確認しました。",
        ),
        ("Bot infection notice", " ", "We observed connections from your line to a C&C server."),
    ):
        report = bot_report(f"{heading}\n{space}\n{said}")
        assert report == {"evidence": said, "family": None}, heading


def test_an_ipv6_prefix_named_as_the_source_is_read_as_its_network():
    # Providers name a line's /64 ("2001:db8:4a:1200::/64"); the line is matched by its /64.
    source = ["2001:db8:4a:1200::"]
    assert claim_of("送信元IPアドレス：2001:db8:4a:1200::/64 から送信されました。") == {
        **NOTHING,
        "ips": source,
        "source_ips": source,
        "named_sources": source,
    }


def test_an_address_ending_an_english_sentence_is_read():
    source = ["203.0.113.5"]
    assert claim_of("Spam was sent from 203.0.113.5.") == {
        **NOTHING,
        "ips": source,
        "source_ips": source,
        "named_sources": source,
    }


def test_a_reverse_lookup_name_is_no_address():
    # "27.112.189.185.in-addr.arpa" is 185.189.112.27 written backwards (a real spam's HELO).
    assert claim_of("helo=27.112.189.185.in-addr.arpa") == NOTHING


def test_words_that_only_contain_bot_are_no_bot_report():
    # A Brazilian phishing mail's "Botão" and a robot vacuum (ロボット) in a real notice's
    # sentence are no botnet: the reply would quote them to the desk as its evidence.
    assert bot_report("Clique no Botão a Baixo para Visualizar a Multa.") is None
    assert bot_report("ロボット掃除機からの通信を確認しました。") is None
    assert bot_report("お客様の端末がボットに感染し、通信を確認しました。") == {
        "evidence": "お客様の端末がボットに感染し、通信を確認しました。",
        "family": None,
    }
