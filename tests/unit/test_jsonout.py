"""reports.jsonout writes the very text json.dumps(value, ensure_ascii=False) makes, in pieces
(`analyze --json` of a bot's capture prints megabytes)."""

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reports import jsonout
from tests.budget import examples

LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
KEYS = st.text(max_size=4) | st.integers(-3, 3) | st.booleans() | st.none()
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(KEYS, inner, max_size=5)
        | st.lists(LEAVES, min_size=257, max_size=300)
        | st.tuples(inner, inner)
    ),
    max_leaves=60,
)


def written(value) -> str:
    out = io.StringIO()
    jsonout.write(out, value)
    return out.getvalue()


@settings(max_examples=examples(150), deadline=None)
@given(VALUES)
def test_the_same_text_as_json_dumps(value):
    assert written(value) == json.dumps(value, ensure_ascii=False)


def test_a_capture_summary_sized_document():
    destinations = [{"ip": f"198.51.100.{i % 250}", "port": 25, "syn": i} for i in range(3000)]
    doc = {
        "type": "summary",
        "destinations": destinations,
        "per_minute": {str(i): i for i in range(400)},
        "results": [{"id": "TRAFFIC-SMTP", "facts": {"destinations": destinations, "é": "日本"}}],
    }
    assert written(doc) == json.dumps(doc, ensure_ascii=False)
