"""What `notice` records as evidence for each notice, sample and report we hold: the whole
notice.json an abuse desk reads (the analysis, the finding and its English words).

The golden files in tests/data/golden/notice were read one by one against the inputs before
they were committed; tools/regen_golden.py rewrites them after a deliberate change (read the
diff)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checks.notice import analyse, to_result
from tests.cases import JST

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests/data/golden/notice"
USER_IP = "203.0.113.45"

# (input, the line's public IP as the user gave it or None): every structure we met, read with
# and without the user's address where that changes the verdict.
INPUTS: list[tuple[str, str | None]] = [
    ("tests/data/notices/direct_to_mx.eml", USER_IP),
    ("tests/data/notices/direct_to_mx.eml", None),
    ("tests/data/notices/account_misuse.eml", USER_IP),
    ("tests/data/notices/forged_sender.eml", USER_IP),
    ("tests/data/notices/forged_sender.eml", None),
    ("tests/data/notices/arf_report.eml", USER_IP),
    ("tests/data/notices/arf_report.eml", None),
    ("tests/data/notices/notice_ja.txt", USER_IP),
    ("tests/data/notices/notice_kanri_bangou.txt", USER_IP),
    ("tests/data/notices/notice_mail_subject_ref.eml", USER_IP),
    ("tests/data/notices/garbage.bin", USER_IP),
    ("tests/data/notices/garbage_zip.bin", USER_IP),
    ("tests/realworld/data/ar_auth_login.eml", None),
    ("tests/realworld/data/date_without_zone.eml", USER_IP),
    ("tests/realworld/data/forged_lower_esmtpa.eml", USER_IP),
    ("tests/realworld/data/hidden_entry_forwarder.eml", USER_IP),
    ("tests/realworld/data/mbox_from_report.eml", USER_IP),
    ("tests/realworld/data/notice_without_facts_ja.txt", USER_IP),
    ("tests/realworld/data/qmail_login.eml", USER_IP),
    ("tests/realworld/data/two_logins.eml", None),
]


HEADERS_ONLY = (
    "Received: from mx2.recipient.example (localhost [127.0.0.1])\n"
    "\tby mx2.recipient.example (Postfix) with ESMTP id 7; Fri, 20 Nov 2026 05:10:02 +0000\n"
    "Received: from WIN-7Q2KJ3M (198-51-100-23.dyn.example.net [198.51.100.23])\n"
    "\tby mx2.recipient.example (Postfix) with SMTP id 8; Fri, 20 Nov 2026 05:10:01 +0000\n"
    "Received-SPF: softfail (domain of example.jp does not designate 198.51.100.23)\n"
    "From: taro.yamada@example.jp\n"
    "Subject: =?UTF-8?B?44GK55+l44KJ44Gb?=\n"
    "Date: Fri, 20 Nov 2026 14:10:00 +0900\n"
)
ARF_ZONELESS = (
    "From: fbl@mailbox.example\nTo: abuse@isp.example.jp\nSubject: FBL report\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\n\n'
    "--b\nContent-Type: text/plain\n\nAn abuse report.\n"
    "--b\nContent-Type: message/feedback-report\n\n"
    "Feedback-Type: abuse\nUser-Agent: MailboxFBL/2.1\nVersion: 1\n"
    "Source-IP: 192.0.2.77\nArrival-Date: 20 Nov 2026 05:20:00\nIncidents: 12\n"
    "--b\nContent-Type: text/rfc822-headers\n\n"
    "Received: from WIN-7Q2KJ3M (p1234045-ipngn1201tokyo.ocn.ne.jp [203.0.113.45])\n"
    "\tby mx.mailbox.example with SMTP; Fri, 20 Nov 2026 05:19:58 +0000\n"
    "From: taro.yamada@example.jp\nSubject: sale\n"
    "--b--\n"
)
MANY_RECEIVED = (
    "".join(
        f"Received: from relay{i}.example (relay{i}.example [192.0.2.{i % 250 + 1}])\n"
        f"\tby relay{i + 1}.example with ESMTP; Fri, 20 Nov 2026 05:{i % 60:02d}:00 +0000\n"
        for i in range(101)
    )
    + "Subject: loop\n\nbody\n"
)
NOTICE_JA = (ROOT / "tests/data/notices/notice_ja.txt").read_text(encoding="utf-8")

# (label, the bytes read, the line's public IP as given): structures with no file of their own.
INLINE: list[tuple[str, bytes, str | None]] = [
    ("empty", b"", USER_IP),
    ("blank", b"  \r\n\t\n", USER_IP),
    ("only_an_address", "迷惑メールの送信元：203.0.113.45".encode(), USER_IP),
    ("headers_only", HEADERS_ONLY.encode(), USER_IP),
    ("headers_only_no_ip", HEADERS_ONLY.encode(), None),
    ("arf_zoneless_other_source", ARF_ZONELESS.encode(), USER_IP),
    ("arf_zoneless_no_ip", ARF_ZONELESS.encode(), None),
    ("utf16_notepad", NOTICE_JA.encode("utf-16"), USER_IP),
    ("utf8_bom", b"\xef\xbb\xbf" + NOTICE_JA.encode(), USER_IP),
    ("bad_public_ip", NOTICE_JA.encode(), "not-an-ip"),
    ("binary_then_text", b"\x00\x01\x02 spam from 203.0.113.45", USER_IP),
    ("many_received", MANY_RECEIVED.encode(), USER_IP),
]


def golden_name(path: str, public_ip: str | None) -> str:
    if path in {label for label, _data, _ip in INLINE}:
        return f"inline.{path}.json"
    return f"{Path(path).name}.{'with-ip' if public_ip else 'no-ip'}.json"


ALL: list[tuple[str, str | None]] = INPUTS + [(label, ip) for label, _data, ip in INLINE]


def record(path: str, public_ip: str | None) -> dict[str, Any]:
    inline = {label: data for label, data, _ip in INLINE}
    data = inline[path] if path in inline else (ROOT / path).read_bytes()
    analysis = analyse(data, public_ip=public_ip, local_zone=JST)
    result = to_result(analysis)
    words = result.words("en")
    return {
        "input": path,
        "public_ip": public_ip,
        "analysis": analysis.to_dict(),
        "result": result.to_dict(text=False),
        "words_en": {"title": words.title, "summary": words.summary, "advice": list(words.advice)},
    }


def as_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
