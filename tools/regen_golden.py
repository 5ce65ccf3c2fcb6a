"""Rewrite the golden letters in tests/data/golden after a deliberate change to the letters.
Read every changed letter (git diff) before committing: the tests compare against these."""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import i18n  # noqa: E402
from reports.report import letter_text  # noqa: E402
from tests.cases import JST, TODAY, build  # noqa: E402

gold = ROOT / "tests/data/golden"
gold.mkdir(parents=True, exist_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    for kind in ("clean", "infected", "forged", "account", "suspicious", "ongoing", "nofacts"):
        case = build(kind, Path(tmp))
        for lang in i18n.CODES:
            (gold / f"letter.{kind}.{lang}.txt").write_text(
                letter_text(case, lang, JST, TODAY), encoding="utf-8"
            )
print("golden letters rewritten")

from tests.notice_golden import ALL, GOLDEN, as_text, golden_name, record  # noqa: E402

GOLDEN.mkdir(parents=True, exist_ok=True)
for path, public_ip in ALL:
    (GOLDEN / golden_name(path, public_ip)).write_text(
        as_text(record(path, public_ip)), encoding="utf-8"
    )
print("golden notice records rewritten")

from tests import traffic_golden  # noqa: E402

traffic_golden.GOLDEN.mkdir(parents=True, exist_ok=True)
for name in traffic_golden.SCENARIOS:
    (traffic_golden.GOLDEN / f"{name}.json").write_text(
        traffic_golden.as_text(traffic_golden.record(name)), encoding="utf-8"
    )
print("golden capture records rewritten")

from tests import assessment_golden  # noqa: E402

assessment_golden.GOLDEN.mkdir(parents=True, exist_ok=True)
for name in assessment_golden.NAMES:
    (assessment_golden.GOLDEN / f"{name}.json").write_text(
        assessment_golden.as_text(assessment_golden.record(name)), encoding="utf-8"
    )
print("golden assessments rewritten")
