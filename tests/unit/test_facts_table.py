"""The facts table a support agent reads: every leaf value appears once, under its path."""

import json

from hypothesis import given
from hypothesis import strategies as st

from reports.facts_table import MAX_ROWS, rows

leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
facts = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


def test_empty_things_are_said_as_empty_not_as_json():
    assert rows({"scanners": {}}) == [("scanners", "—")]
    assert rows({"programs": [{"name": "svchost.exe", "ports": [25, 587]}]}) == [
        ("programs[1].name", "svchost.exe"),
        ("programs[1].ports", "25, 587"),
    ]


@given(st.dictionaries(st.text(min_size=1, max_size=5), facts, max_size=5))
def test_every_text_value_is_shown_and_no_cell_holds_the_json(value):
    table = rows(value)
    assert len(table) <= MAX_ROWS + 1
    shown = " ".join(v for _n, v in table)
    # A container never reaches a cell as JSON: each cell is one leaf or one flat list.
    assert json.dumps(value, ensure_ascii=False) not in shown or not value
    for s in _strings(value):
        if s.strip():
            assert s in shown


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_a_huge_capture_is_cut_and_says_so():
    table = rows({"flows": [{"n": i} for i in range(MAX_ROWS + 50)]})
    assert len(table) == MAX_ROWS + 1
    assert table[-1] == ("…", "+50")


def test_yes_and_no_are_said_in_the_readers_language():
    assert rows({"complete": True, "cgnat": False}, yes="はい", no="いいえ") == [
        ("complete", "はい"),
        ("cgnat", "いいえ"),
    ]
