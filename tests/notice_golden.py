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


def golden_name(path: str, public_ip: str | None) -> str:
    return f"{Path(path).name}.{'with-ip' if public_ip else 'no-ip'}.json"


def record(path: str, public_ip: str | None) -> dict[str, Any]:
    analysis = analyse((ROOT / path).read_bytes(), public_ip=public_ip, local_zone=JST)
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
