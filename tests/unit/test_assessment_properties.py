"""The letter never contradicts the evidence, over generated cases (hypothesis):

1. it never says nothing was found while any mail evidence is ``fail`` or ``warn``;
2. it never says the infection is removed unless a removal or reinstall step is recorded AND a
   clean watch or capture of at least five minutes ran after it (and after the last sighting);
3. every address, time, date and count in the letter is in the bundle's machine-readable files.
"""

import re
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.store import Case
from checks.model import Status
from reports import bundle
from reports.report import letter_text
from tests.budget import examples
from tests.cases import JST, T0, TODAY, _host_results, bot_watch, clean_watch
from tests.unit.test_assessment import imported_bot_capture, unidentified_watch

MAIL = ("SMTP-OUT", "SMTP-LISTEN", "PROXY-OPEN", "TRAFFIC-SMTP", "TRAFFIC-MX")
NO_SIGN = {"ja": "形跡は見つかっておりません", "en": "found no sign"}
REMOVED = {"ja": "駆除と対策後の確認は済んで", "en": "a check afterwards found no mail traffic"}

event = st.one_of(
    st.tuples(st.just("clean"), st.integers(0, 900), st.integers(0, 40)),
    st.tuples(st.just("bot"), st.integers(0, 900), st.just(5)),
    st.tuples(st.just("unidentified"), st.integers(0, 900), st.just(10)),
    st.tuples(st.just("line"), st.integers(0, 900), st.integers(1, 30)),
)
step = st.tuples(
    st.sampled_from(["disconnect", "scan", "removal", "reinstall", "updates", "password"]),
    st.integers(0, 900),
    st.booleans(),  # recorded as a bare date
)


def build_case(folder: Path, events, steps) -> tuple[Case, list]:
    case = Case(folder)
    results = []
    for kind, minute, extra in events:
        at = T0 + timedelta(minutes=minute)
        if kind == "clean":
            results.append(clean_watch(at, minutes=extra))
        elif kind == "bot":
            results.append(bot_watch(at))
        elif kind == "unidentified":
            results.append(unidentified_watch(at, servers=extra))
        else:
            results.extend(imported_bot_capture(extra))
    recorded = []
    with case.update() as u:
        u.set_details(name="Taro Yamada", contract_id="EX-1", provider="Example Net")
        u.add_results([*_host_results(T0), *results])
        for name, minute, date_only in steps:
            when = (T0 + timedelta(minutes=minute)).astimezone(JST)
            text = when.date().isoformat() if date_only else when.isoformat()
            u.mark_done(name, text, now=datetime(2027, 1, 1).astimezone())
            recorded.append((name, when, date_only))
    return case, results


def removal_is_proven(case: Case, steps) -> bool:
    """Read independently of the assessment: a removal step and a clean watch of 5+ minutes that
    started after it (a bare date: after that whole day) and after the last bad sighting."""
    history = case.history()
    removals = []
    for name, when, date_only in steps:
        if name in ("removal", "reinstall"):
            removals.append(when.replace(hour=23, minute=59, second=59) if date_only else when)
    if not removals:
        return False
    fixed = max(removals)
    bad = [
        r.started_at + timedelta(milliseconds=r.duration_ms)
        for r in history
        if r.id in MAIL and r.status in (Status.FAIL, Status.WARN)
    ]
    last_bad = max(bad, default=None)
    for r in history:
        if r.id != "SMTP-OUT" or r.status != Status.PASS or r.facts.get("programs"):
            continue
        window = r.facts["window"]
        start = datetime.fromisoformat(window["from"])
        end = datetime.fromisoformat(window["to"])
        if (
            start >= fixed
            and end - start >= timedelta(minutes=5)
            and (last_bad is None or start > last_bad)
        ):
            return True
    return False


def machine_readable(case: Case) -> str:
    plan = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False)
    return "\n".join(
        data.decode("utf-8")
        for name, data in plan.files.items()
        if name.endswith(".json")  # not the letters or the report themselves
    )


MONTHS = {
    m: i
    for i, m in enumerate(
        "January February March April May June July August September October November December".split(),
        1,
    )
}


def figures(letter: str) -> list[str]:
    """Addresses, clock times, dates and counts in the English letter, as the bundle's files
    write them."""
    out = re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", letter)
    out += re.findall(r"\b\d{2}:\d{2}:\d{2}\b", letter)
    for day, month, year in re.findall(r"\b(\d{1,2}) ([A-Z][a-z]+) (\d{4})\b", letter):
        if month in MONTHS:
            out.append(f"{year}-{MONTHS[month]:02d}-{int(day):02d}")
    out += [f": {n}" for n in re.findall(r"\b(\d+) external mail servers", letter)]
    out += re.findall(r"for (\d+) minutes", letter)
    return out


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(event, max_size=5), st.lists(step, max_size=3, unique_by=lambda s: s[0]))
def test_the_letter_never_contradicts_the_evidence(events, steps):
    folder = Path(tempfile.mkdtemp())
    try:
        case, _results = build_case(folder / "case", events, steps)
        history = case.history()
        bad = any(r.id in MAIL and r.status in (Status.FAIL, Status.WARN) for r in history)
        proven = removal_is_proven(
            case, [(n, (T0 + timedelta(minutes=m)).astimezone(JST), d) for n, m, d in steps]
        )
        haystack = machine_readable(case)
        for lang in ("ja", "en"):
            text = letter_text(case, lang, JST, TODAY)
            if bad:
                assert NO_SIGN[lang] not in text
            if REMOVED[lang] in text:
                assert proven, (events, steps)
            if lang == "en":
                for figure in figures(text):
                    assert figure in haystack, (figure, text)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
