"""The terminal output support staff read out: stable order, lines that fit, words kept whole."""

import pytest

from checks.model import Result, Status
from reports import console
from reports.console import display_width


@pytest.mark.parametrize("width", [40, 60, 80])
def test_wrapping_keeps_words_and_commands_whole_and_fits(width):
    texts = [
        "今すぐ更新を適用してください。端末を開いて sudo apt update && sudo apt upgrade を実行します。",
        "セキュリティ更新の自動適用を有効にしてください: sudo apt install unattended-upgrades のあと"
        " sudo dpkg-reconfigure -plow unattended-upgrades",
        "一度見ただけでは、短時間にまとめて送るプログラムを見逃すことがあります。確かめるには、数分間続けて接続を見守ってください。",
        "Install the updates now: open a terminal and run: sudo apt update && sudo apt upgrade",
    ]
    for text in texts:
        lines = console._wrap(text, width, " " * 13)
        assert all(display_width(ln) <= width for ln in lines), lines
        joined = "".join(ln.strip() for ln in lines)
        for word in ("sudo", "unattended-upgrades", "dpkg-reconfigure"):
            if word in text:
                assert any(word in ln for ln in lines), (word, lines)  # never split
        assert not any(ln.strip().startswith(("、", "。", "）")) for ln in lines), lines
        assert joined.replace(" ", "") == text.replace(" ", "")


def test_results_print_problems_first_in_catalog_order():
    results = [
        Result("CLOCK-SYNC", Status.UNKNOWN, "timed_out", {"seconds": 1}),
        Result("FW-STATUS", Status.WARN, "linux_no_filter"),
        Result("SMTP-OUT", Status.PASS, "none_snapshot", {"time": "2026-11-20T05:00:00+00:00"}),
        Result("PROXY-OPEN", Status.FAIL, "proxy_port", {"name": "x", "port": 1080}),
        Result("OS-UPDATES", Status.WARN, "up_to_date"),
    ]
    order = [r.id for r in console.in_catalog_order(results)]
    assert order == ["PROXY-OPEN", "OS-UPDATES", "FW-STATUS", "CLOCK-SYNC", "SMTP-OUT"]
    assert order == [r.id for r in console.in_catalog_order(list(reversed(results)))]


def test_a_binary_file_is_said_to_be_one_in_the_readers_language(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    junk = tmp_path / "junk.eml"
    junk.write_bytes(bytes(range(256)) * 8)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "main.py"), "notice", str(junk), "--lang", "ja"],
        capture_output=True,
        encoding="utf-8",
        cwd=root,
        timeout=60,
    )
    assert "バイナリファイルのようです" in out.stdout
    assert "looks like a binary file" not in out.stdout
