"""The capture as one object: whatever the capture process does — speaks, refuses, crashes,
never starts, falls silent — the window hears exactly one outcome, with a reason when there is
no summary. Real processes (this Python) stand in for the capture."""

import json
import sys

import pytest

from gui.capture_process import CaptureOutcome, CaptureProcess


def script(*lines: str, code: int = 0):
    body = "".join(f"print({json.dumps(line)}, flush=True)\n" for line in lines)
    body += f"raise SystemExit({code})\n"
    return lambda seconds, case: [sys.executable, "-c", body]


def run(qtbot, capture: CaptureProcess, tmp_path) -> tuple[CaptureOutcome, list]:
    outcomes, progress = [], []
    capture.finished.connect(outcomes.append)
    capture.progress.connect(progress.append)
    capture.start(60, tmp_path)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=15000)
    qtbot.wait(300)  # nothing more may arrive
    assert len(outcomes) == 1
    return outcomes[0], progress


def test_a_capture_that_speaks_ends_with_its_summary(qtbot, tmp_path):
    progress = json.dumps({"type": "progress", "elapsed": 1, "smtp_syn": 2})
    summary = json.dumps({"type": "summary", "programs": []})
    capture = CaptureProcess(command=script(progress, summary))
    outcome, seen = run(qtbot, capture, tmp_path)
    assert outcome.ok and outcome.summary == {"type": "summary", "programs": []}
    assert seen == [{"type": "progress", "elapsed": 1, "smtp_syn": 2}]


def test_a_refusal_is_the_reason(qtbot, tmp_path):
    error = json.dumps({"type": "error", "reason": "needs administrator rights"})
    outcome, _ = run(qtbot, CaptureProcess(command=script(error, code=3)), tmp_path)
    assert not outcome.ok and outcome.reason == "needs administrator rights"


def test_a_capture_that_dies_saying_nothing_is_never_silent(qtbot, tmp_path):
    outcome, _ = run(qtbot, CaptureProcess(command=script(code=9)), tmp_path)
    assert outcome.reason == "the capture ended without a result (exit code 9)"


@pytest.mark.parametrize("code", [126, 127])
def test_a_dismissed_pkexec_prompt_says_so(qtbot, tmp_path, code):
    outcome, _ = run(qtbot, CaptureProcess(command=script(code=code)), tmp_path)
    assert outcome.reason == "the administrator password was not given"


def test_a_program_that_cannot_start_is_the_reason(qtbot, tmp_path):
    capture = CaptureProcess(command=lambda s, c: [str(tmp_path / "no-such-program")])
    outcome, _ = run(qtbot, capture, tmp_path)
    assert not outcome.ok and outcome.reason


def test_a_detached_capture_that_falls_silent_is_given_up(qtbot, tmp_path):
    import subprocess

    def launcher(argv):
        events = argv[argv.index("--events") + 1]
        line = json.dumps({"type": "progress", "elapsed": 1})
        return subprocess.Popen(
            [sys.executable, "-c", f"open({events!r}, 'a').write({line!r} + '\\n')"]
        )

    capture = CaptureProcess(command=lambda s, c: ["capture"], launcher=launcher)
    capture.SILENCE_LIMIT_S = 0.5
    outcome, seen = run(qtbot, capture, tmp_path)
    assert seen and outcome.reason == "the capture stopped answering"


def test_a_refused_prompt_ends_at_once(qtbot, tmp_path):
    capture = CaptureProcess(command=lambda s, c: ["capture"], launcher=lambda argv: False)
    outcome, _ = run(qtbot, capture, tmp_path)
    assert outcome.reason == "the administrator password was not given"
    assert not capture.running()
