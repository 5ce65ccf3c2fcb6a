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
