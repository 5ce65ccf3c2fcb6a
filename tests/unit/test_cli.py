"""The headless interface support staff use: help, exit codes, JSON, --case, languages."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks.model import Result, Status
from cli import commands
from tests.platform import assert_private

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, timeout=60):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=ROOT,
    )


def test_help_lists_the_commands():
    out = cli("--help")
    assert out.returncode == 0
    assert "audit" in out.stdout and "Exit status" in out.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--lang", "ja", "--help"], ["使い方:", "終了コード", "オプション"]),
        (
            ["audit", "--lang", "ja", "--help"],
            ["Clearline の確認を実行し", "このヘルプを表示して終了します"],
        ),
        (["journal", "verify", "--lang=ja", "--help"], ["記録のデータベース", "使い方:"]),
        (["--lang", "en", "journal", "--help"], ["usage:", "The outbound-mail journal"]),
    ],
)
def test_help_speaks_the_language_asked_for(args, words):
    out = cli(*args)
    assert out.returncode == 0, out.stderr
    for word in words:
        assert word in out.stdout
    if "ja" in " ".join(args):
        assert "show this help" not in out.stdout and "options:" not in out.stdout


def test_a_usage_error_in_japanese_says_so_in_japanese():
    out = cli("audit", "--lang", "ja", "--watch", "soon")
    assert out.returncode == 3
    assert "エラー" in out.stderr and "使い方:" in out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "--only", "NOPE-X"],
        ["audit", "--watch", "soon"],
        ["frobnicate"],
        ["audit", "--lang", "fr"],
    ],
)
def test_usage_errors_exit_3_with_a_message(args):
    out = cli(*args)
    assert out.returncode == 3
    assert out.stderr.strip()
    assert "Traceback" not in out.stderr


def test_json_is_one_list_of_results_and_exit_code_matches():
    out = cli("audit", "--only", "SMTP-LISTEN,PROXY-OPEN", "--json", "--lang", "en")
    data = json.loads(out.stdout)
    results = [Result.from_dict(d) for d in data]
    assert [r.id for r in results] == ["SMTP-LISTEN", "PROXY-OPEN"]
    from checks.model import exit_code

    assert out.returncode == exit_code(results)


def test_plain_output_is_a_readable_table_in_japanese():
    out = cli("audit", "--only", "SMTP-LISTEN", "--lang", "ja")
    assert "SMTP-LISTEN" in out.stdout
    assert "この PC で動くメールサーバー" in out.stdout
    assert "Traceback" not in out.stderr


def test_case_folder_collects_results(tmp_path):
    case = tmp_path / "case1"
    out = cli("audit", "--only", "SMTP-LISTEN", "--json", "--case", str(case))
    assert out.returncode in (0, 1, 2)
    saved = json.loads((case / "results.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in saved["results"]] == ["SMTP-LISTEN"]
    cli("audit", "--only", "PROXY-OPEN", "--json", "--case", str(case))
    saved = json.loads((case / "results.json").read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in saved["results"]) == ["PROXY-OPEN", "SMTP-LISTEN"]


def test_list_shows_ids():
    out = cli("audit", "--list")
    assert out.returncode == 0
    assert {"SMTP-OUT", "SMTP-LISTEN", "PROXY-OPEN"} <= {
        ln.split()[0] for ln in out.stdout.splitlines()
    }


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ([Status.PASS, Status.SKIPPED], 0),
        ([Status.PASS, Status.UNKNOWN], 1),
        ([Status.WARN], 1),
        ([Status.ERROR, Status.PASS], 1),
        ([Status.WARN, Status.FAIL], 2),
    ],
)
def test_exit_codes(statuses, code):
    from checks.model import exit_code

    assert exit_code([Result(id=f"X-{i}", status=s) for i, s in enumerate(statuses)]) == code


def test_parser_usage_error_code_in_process():
    with pytest.raises(SystemExit) as exc:
        commands.build_parser().parse_args(["audit", "--watch", "-5"])
    assert exc.value.code == 3


def test_diagnose_writes_every_probe_with_personal_data_masked(tmp_path):
    import getpass
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "diag.json"
    done = subprocess.run(
        [sys.executable, str(root / "main.py"), "diagnose", "--out", str(out)],
        capture_output=True,
        encoding="utf-8",
        cwd=root,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["environment"]["system"] and data["environment"]["python"]
    assert {c["id"] for c in data["checks"]} >= {"SMTP-OUT", "OS-UPDATES", "FW-STATUS"}
    assert str(Path.home()) not in text
    user = getpass.getuser()
    if len(user) >= 3:
        assert f'"{user}"' not in text
    assert_private(out)
