"""The banner and the next action follow the assessment: never an all-clear beside mail
evidence, never a 'fix it' after a confirmed removal, and one action that moves the user on."""

import pytest

from cases import assessment as A
from reports import guidance as g
from tests.cases import build

KINDS = ["clean", "infected", "forged", "account", "suspicious", "ongoing", "nofacts"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_banner_never_says_nothing_was_seen_beside_mail_evidence(tmp_path, kind):
    case = build(kind, tmp_path)
    a = A.assess(case)
    text = g.banner(a, bool(case.notice()), bool(case.results()))
    assert text
    if a.kind in (A.INFECTED, A.SUSPICIOUS):
        assert "nothing" not in text.lower() and "not sent" not in text
    if a.kind == A.INFECTED and a.removal_recorded and not a.removed and a.ongoing:
        assert text.startswith("Mail was still being sent after the fixes")
    if a.kind == A.INFECTED and a.removed:
        assert "fix it" not in text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_every_step_has_one_next_action_that_moves_on(tmp_path, kind, step):
    case = build(kind, tmp_path)
    a = A.assess(case)
    nxt = g.next_action(step, a, True, True)
    assert nxt.label and nxt.hint
    if step < 5:
        assert nxt.step > step or (step == 4 and nxt.step == 3), nxt  # forward, or re-watch
    else:
        assert nxt.step == 0  # the page's own action: save the bundle
    if step == 2 and a.kind in (A.INFECTED,) and not a.removal_recorded:
        assert nxt.step == 4


def test_the_first_screen_and_an_unread_notice_ask_for_the_notice():
    assert g.next_action(1, None, False, False).step == 0
    assert "step 1" in g.banner(None, False, False)
    assert g.next_action(2, None, True, False).step == 0  # start the checks here
    assert g.next_action(1, None, True, False).run  # arriving at step 2 starts the checks


def test_step_4_lists_problems_most_serious_first(tmp_path):
    from checks.model import Result, Status

    results = [
        Result("OS-UPDATES", Status.WARN, "security_pending", {"n": 1, "s": 1}),
        Result("CLOCK-SYNC", Status.FAIL, "off"),  # not a finding step 4 can fix
        Result("FW-STATUS", Status.WARN, "macos_off"),
        Result("SMTP-OUT", Status.FAIL, "suspicious_location"),
        Result("AV-STATUS", Status.PASS, "windows_on"),
    ]
    assert [r.id for r in g.problems(results)] == ["SMTP-OUT", "OS-UPDATES", "FW-STATUS"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("has_watched", [False, True])
@pytest.mark.parametrize("fixes_left", [0, 1, 4])
def test_the_blue_button_never_skips_what_the_notice_or_the_findings_ask_for(
    tmp_path, kind, has_watched, fixes_left
):
    """Issue 32: from step 3 the button jumped to the reply whenever nothing was 'infected',
    so the watch and step 4 were never reached. Following only the blue button, the user
    watches before replying, and passes step 4 while a finding's fix is not ticked."""
    a = A.assess(build(kind, tmp_path))
    for step in (2, 3, 4):
        nxt = g.next_action(step, a, True, True, has_watched=has_watched, fixes_left=fixes_left)
        if not has_watched:
            assert nxt.step in (0, 3, 4), (step, nxt)  # watch here, or go watch (or fix first)
            if step == 3:
                assert nxt.step == 0 and nxt.label == "Start watching"
        elif fixes_left:
            # Go fix, or fix here (step 4's own button opens the first fix's place).
            assert nxt.step in (0, 3, 4), (step, nxt)
            if step == 4 and nxt.step == 0:
                assert nxt.label == "Fix the most important finding"
        assert nxt.step != 5 or (has_watched and not fixes_left), (step, nxt)


def test_open_fixes_counts_findings_whose_fix_is_not_ticked():
    from checks.model import Result, Status

    results = [
        Result("OS-UPDATES", Status.WARN, "security_pending", {"n": 1, "s": 1}),
        Result("FW-STATUS", Status.WARN, "macos_off"),
        Result("AV-STATUS", Status.FAIL, "none_on"),
        Result("CLOCK-SYNC", Status.FAIL, "off"),  # nothing step 4 fixes
    ]
    assert g.open_fixes(results, []) == 3
    assert g.open_fixes(results, ["updates", "scan"]) == 1  # the firewall has no tick
    assert g.open_fixes([], ["scan"]) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_watched_means_a_watch_or_a_capture(tmp_path, kind):
    a = A.assess(build(kind, tmp_path))
    assert g.watched(a) == any(o.source in ("watch", "capture") for o in a.observations)
    assert not g.watched(None)
