"""What the window says at the top (what was found so far, in one sentence) and the one next
action at the bottom of each step, from the case's assessment. Pure: the window words and
shows it; nothing here touches Qt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cases import assessment as A
from checks import catalogue
from checks.i18n import N_, _
from checks.model import SEVERITY, Result, Status

HOST_CHECKS = catalogue.ids(role=catalogue.DEFENCE)

STEP_NAMES = {
    1: N_("What happened"),
    2: N_("Check this PC"),
    3: N_("Watch the line"),
    4: N_("Fix what we found"),
    5: N_("Reply to your provider"),
}


@dataclass(frozen=True)
class Next:
    step: int  # the step to go to (0: stay, the action is on this page)
    label: str  # the button's words
    hint: str  # one sentence saying why
    run: bool = False  # start the step's work on arrival (the checks)


def banner(a: A.Assessment | None, has_notice: bool, has_results: bool) -> str:
    """One sentence: what was found so far."""
    if a is None or (not has_notice and not has_results):
        return _("Nothing checked yet. Start with step 1: paste the provider's notice.")
    p = a.primary
    if a.kind == A.INFECTED and p is not None:
        if p.where == A.LINE:
            return _("A device on your line ({host}) was seen sending mail.").format(
                host=p.host or "?"
            )
        if a.removal_recorded and not a.removed:
            if a.ongoing:
                # Not named: the program seen before the fix need not be the one seen after.
                return _(
                    "Mail was still being sent after the fixes you recorded: look at step 4 again."
                )
            return _(
                "Fixes are recorded. Watch the line for 5 minutes in step 3 to confirm the"
                " sending stopped."
            )
        if a.removed:
            return _(
                "{program} was sending mail from this PC; it was removed and a check afterwards"
                " saw no mail traffic."
            ).format(program=p.program or _("A program"))
        if p.identified:
            return _("{program} on this PC was sending mail: fix it in step 4.").format(
                program=p.program
            )
        return _("Something on this PC sent mail: fix it in step 4.")
    if a.kind == A.SUSPICIOUS:
        return _(
            "Something on this PC connected to mail servers, but we could not yet see which"
            " program: watch the line in step 3."
        )
    if a.kind == A.KIND_ACCOUNT:
        return _(
            "The mail was sent by logging in to your mail account: change the mail password"
            " from another device."
        )
    if a.kind == A.KIND_FORGED:
        return _("Only your address was forged: the mail was not sent from your line.")
    if has_results:
        return _("So far nothing on this PC was seen sending mail (this PC only).")
    return _("The notice is read. Next, check this PC.")


def problems(results: list[Result]) -> list[Result]:
    """What step 4 lists: every mail-evidence and host check that is fail or warn, the most
    serious first, in the catalog's order within a severity."""
    wanted = set(A.MAIL_EVIDENCE) | set(HOST_CHECKS)
    found = [r for r in results if r.id in wanted and r.status in (Status.FAIL, Status.WARN)]
    return sorted(found, key=lambda r: (-SEVERITY[r.status], catalogue.ORDER.get(r.id, 99)))


def watched(a: A.Assessment | None) -> bool:
    """Was the traffic watched for a while (step 3's watch or a capture), not only looked at
    once? A spam notice claims traffic: one look can miss a program that sends in bursts."""
    return a is not None and any(o.source in ("watch", "capture") for o in a.observations)


def open_fixes(results: list[Result], done: Iterable[str]) -> int:
    """How many of step 4's findings have a fix that is not ticked as done yet."""
    ticked = set(done)
    return sum(1 for r in problems(results) if catalogue.fix_place(r.id) not in ticked)


def next_action(
    step: int,
    a: A.Assessment | None,
    has_notice: bool,
    has_results: bool,
    *,
    has_watched: bool | None = None,
    fixes_left: int = 0,
) -> Next:
    """The one next thing to do from ``step``: the first thing the notice or the findings ask
    for that is not done: the checks, a watch (a notice claims traffic), step 4 while a
    finding's fix is not ticked, then the reply."""
    if has_watched is None:
        has_watched = watched(a)
    bad = a is not None and a.kind in (A.INFECTED, A.SUSPICIOUS)
    if step == 1:
        if not has_notice:
            return Next(
                0,
                _("Analyse the notice"),
                _("Paste the notice above (or open its file), then analyse it."),
            )
        return _go(2, _("The notice is read: now look at this PC."), run=not has_results)
    if step == 2:
        return _after_checks(a, has_results, has_watched, fixes_left, bad)
    if step == 3:
        return _after_watch(a, has_watched, fixes_left, bad)
    if step == 4:
        if bad and a is not None and a.removal_recorded and not a.removed:
            return _go(3, _("After the fix, watch the line for 5 minutes to confirm it stopped."))
        if not has_watched:
            return _go(
                3, _("Your provider reports mail traffic: watch the line for a few minutes.")
            )
        if fixes_left:
            # The reply waits for the fixes: a reply that says "no antivirus" with nothing done
            # is the one most likely to get the line cut.
            return Next(
                0,
                _("Fix the most important finding"),
                _(
                    "This opens the place that fixes it. Tick each fix below when it is done;"
                    " then the reply."
                ),
            )
        return _go(5, _("Write the reply with what was found and done."))
    return Next(
        0,
        _("Save evidence bundle…"),
        _("Save the evidence bundle and send it with the letter."),
    )


def _go(target: int, hint: str, run: bool = False) -> Next:
    return Next(target, _("Next: {step}").format(step=_(STEP_NAMES[target])), hint, run)


def _after_checks(
    a: A.Assessment | None, has_results: bool, has_watched: bool, fixes_left: int, bad: bool
) -> Next:
    if not has_results:
        return Next(0, _("Check this PC"), _("Start the checks: it takes a few seconds."))
    if a is not None and a.kind == A.SUSPICIOUS:
        return _go(3, _("A program connected and vanished: watching the line can catch it."))
    if bad:
        return _go(4, _("Problems were found: fix them, most important first."))
    if has_watched and fixes_left:
        return _go(4, _("Some findings still need a fix: most important first."))
    if has_watched:
        return _go(5, _("Reply to your provider with what you found."))
    return _go(3, _("One look can miss a program that sends in bursts: watch for a while."))


def _after_watch(a: A.Assessment | None, has_watched: bool, fixes_left: int, bad: bool) -> Next:
    if not has_watched:
        return Next(
            0,
            _("Start watching"),
            _("Your provider reports mail traffic: watch the line for a few minutes."),
        )
    if bad and not (a and a.removed):
        return _go(4, _("Fix what was found, then watch again to confirm."))
    if fixes_left:
        return _go(4, _("Some findings still need a fix: most important first."))
    return _go(5, _("Reply to your provider with what you found."))
