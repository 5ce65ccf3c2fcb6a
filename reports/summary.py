"""The support summary: a few lines a support agent on the phone can act on, from the case's
assessment, in the agent's language. It answers five questions: what the provider claims, what
was seen (program, path, destinations, when), what was done and when, what the letter will say,
and what to do next."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from cases import assessment as A
from cases.store import Case
from checks import i18n
from checks.i18n import N_, _
from checks.model import Status
from reports.viewmodel import STATUS_WORDS, STEP_WORDS

MAX_LINES = 15


# The notice reader's verdicts as support staff read them (not its codes).
VERDICT_WORDS = {
    "direct": N_("sent directly from this line"),
    "account": N_("sent through a mail account's login"),
    "forged": N_("forged: sent from another network"),
    "unknown": N_("not decided"),
}


def lines(case: Case, lang: str, zone: tzinfo | None = None) -> list[str]:
    """A short summary a support agent reads over the phone: the claim, what was seen, what was
    done, what the letter says and the next step."""
    from reports import viewmodel

    lang = i18n.normalise(lang)
    zone = zone or datetime.now().astimezone().tzinfo or UTC
    model = viewmodel.build(case, lang, zone)
    a = model.assessment
    token = i18n.use_language(lang)
    try:
        out = [_("Clearline case {case}").format(case=case.path.name)]
        out += _claim_lines(a, model)
        out.append(_seen_line(model))
        out.append(_done_line(model))
        if a.removed and model.after_clean:
            out.append(
                _("Checked after the fix: {minutes} min clean ({when}).").format(
                    minutes=model.after_clean["minutes"], when=model.after_clean["when"]
                )
            )
        out.append(_("Letter says: {what}.").format(what=_letter_says(a)))
        out.append(_("Next: {step}").format(step=_next_step(a)))
        if case.damaged:
            out.append(
                _("Damaged files set aside: {names}.").format(
                    names=", ".join(d.name for d in case.damaged)
                )
            )
        return out[:MAX_LINES]
    finally:
        i18n.reset_language(token)


def _claim_lines(a: A.Assessment, model) -> list[str]:
    if a.notice is None:
        return [_("Provider's notice: not read yet (step 1).")]
    times = "; ".join(model.notice["times"]) or _("no times given")
    not_given = _("not given")  # words, not a bare "-" a listener cannot read out
    verdict = _(VERDICT_WORDS.get(a.notice.verdict, VERDICT_WORDS["unknown"]))
    return [
        _("Provider claims: {times}; source {ips}; reference {ref}.").format(
            times=times,
            ips=", ".join(model.notice["source_ips"]) or not_given,
            ref=model.who["reference"] or not_given,
        ),
        _("Headers say: {verdict} (deciding address {ip}).").format(
            verdict=verdict, ip=a.notice.deciding_ip
        )
        if a.notice.deciding_ip
        else _("Headers say: {verdict}.").format(verdict=verdict),
    ]


def _seen_line(model) -> str:
    s = model.sighting
    if s:
        who = s["program"] or (
            _("a device on the line {host}").format(host=s["host"] or "")
            if s["where"] == A.LINE
            else _("an unidentified program")
        )
        return _("Seen: {who} {path} -> {n} mail server(s) on port 25, {when} ({status}).").format(
            who=who,
            path=f"({s['path']})" if s["path"] else "",
            n=s["servers"],
            when=s["when"] or _("time not known"),
            status=_(STATUS_WORDS[Status(s["status"])]),
        )
    if model.scope and model.scope["source"] == "snapshot":
        # One look at the connection table is not a watch: say it was one look.
        return _("Seen: nothing at one look at {at}; not watched for a while yet.").format(
            at=model.scope["at"]
        )
    if model.scope:
        return _("Seen: nothing; clean watch {when}.").format(when=model.scope["when"])
    return _("Seen: nothing yet; no watch or capture has run.")


def _done_line(model) -> str:
    if not model.remediation:
        return _("Done: nothing recorded yet.")
    # TRANSLATORS: the separator of a list of steps ("、" in Japanese)
    done = [(STEP_WORDS[st["code"]], st["date"]) for st in model.remediation]
    steps = _(", ").join(
        _("{step} ({date})").format(step=_(msgid), date=date) for msgid, date in done
    )
    return _("Done: {steps}.").format(steps=steps)


def _letter_says(a: A.Assessment) -> str:
    if a.kind == A.INFECTED and a.removed:
        return _("infected, removed and checked afterwards")
    if a.kind == A.INFECTED:
        return _("infected; fixing, still watching")
    if a.kind == A.SUSPICIOUS:
        return _("suspicious traffic, program not identified yet")
    if a.kind == A.KIND_FORGED:
        return _("sender forged, not sent from this line")
    if a.kind == A.KIND_ACCOUNT:
        return _("mail password stolen, sent through its mail server")
    return _("nothing found on this PC so far (this PC only)")


def _next_step(a: A.Assessment) -> str:
    if a.kind == A.KIND_ACCOUNT and not any(s.name == "password" for s in a.steps):
        return _("change the mail password from a clean device, then record it (step 4).")
    if a.kind in (A.INFECTED, A.SUSPICIOUS) and not a.removal_recorded:
        if a.primary is not None and not a.primary.identified:
            return _("watch this PC's connections for 10 minutes as administrator (step 3).")
        return _("disconnect, scan and remove the program, then record it (step 4).")
    if a.kind == A.INFECTED and not a.removed:
        return _("watch the traffic for at least 5 minutes to confirm the fix (step 3).")
    if a.scope is None:
        return _("watch this PC's connections for 10 minutes (step 3).")
    return _("send the letter and the evidence bundle to the provider (step 5).")
