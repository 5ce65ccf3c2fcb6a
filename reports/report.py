"""The readable report (HTML, and PDF through reports.pdf) and the letters, rendered from the
view-model."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, tzinfo

from cases.store import Case
from checks import dates, i18n
from checks.model import Status
from reports import letter_plan, viewmodel
from reports.templating import render, render_paragraphs


def letter_text(
    case: Case,
    lang: str,
    zone: tzinfo | None = None,
    today: datetime | None = None,
    with_pdf: bool = True,
) -> str:
    return render_letter(viewmodel.build(case, lang, zone, today, with_pdf))


def render_letter(model: viewmodel.LetterModel) -> str:
    """The plain-text letter for a view-model already built (build it once, use it twice): the
    paragraphs letter_plan chooses, in the words of the language's paragraph file."""
    return render_paragraphs(
        f"letter.{model.lang}.txt.j2",
        model.lang,
        letter_plan.paragraphs(model),
        **model.as_context(),
    )


def letter_html(
    case: Case, lang: str, zone: tzinfo | None = None, today: datetime | None = None
) -> str:
    return render_letter_html(letter_text(case, lang, zone, today), lang)


def render_letter_html(text: str, lang: str) -> str:
    title = i18n.gettext_in(lang, i18n.N_("Reply to the provider"))
    return render("letter.html.j2", lang, lang=lang, title=title, text=text)


def _chart(case: Case, zone: tzinfo, lang: str) -> list[dict]:
    """Mail connections per minute, from every SMTP-OUT watch and the capture, as bars."""
    per_minute: Counter = Counter()
    for result in case.history():
        if result.id != "SMTP-OUT":
            continue
        for program in result.facts.get("programs", []):
            for conn in program.get("connections", []):
                when = dates.parse(conn.get("first_seen"))
                if when:
                    per_minute[when.astimezone(zone).replace(second=0, microsecond=0)] += 1
    capture = case.capture() or {}
    for minute, count in (capture.get("per_minute") or {}).items():
        when = dates.parse(minute)
        if when:
            per_minute[when.astimezone(zone).replace(second=0, microsecond=0)] += int(count)
    if not per_minute:
        return []
    top = max(per_minute.values())
    return [
        {
            "label": dates.moment(m, lang, seconds=False),
            "count": n,
            "percent": max(2, round(100 * n / top)),
        }
        for m, n in sorted(per_minute.items())[-60:]
    ]


def _result_row(r, zone: tzinfo, lang: str) -> dict:
    words = r.words(lang)
    return {
        "id": r.id,
        "title": words.title,
        "status": str(r.status),
        "status_label": viewmodel.status_word(r.status, lang),
        "summary": words.summary,
        "advice": list(words.advice),
        "started": dates.moment(r.started_at.astimezone(zone), lang) if r.started_at else "",
    }


def _notice_context(a, model) -> dict | None:
    if a.notice is None:
        return None
    from checks.notice import explanation_words
    from reports.console import verdict_label

    return {
        "reference": model.who["reference"],
        "times": model.notice["times"],
        "source_ips": model.notice["source_ips"],
        "verdict_label": verdict_label(a.notice.verdict),
        "explanation": explanation_words(
            a.notice.explanation_code,
            a.notice.deciding_ip,
            a.notice.deciding_hop,
            a.notice.line,
        ),
    }


def report_html(
    case: Case, lang: str, zone: tzinfo | None = None, today: datetime | None = None
) -> str:
    lang = i18n.normalise(lang)
    zone = zone or datetime.now().astimezone().tzinfo or UTC
    now = (today or datetime.now(UTC)).astimezone(zone)
    model = viewmodel.build(case, lang, zone, today)
    a = model.assessment
    from checks import wording

    token = i18n.use_language(lang)
    zone_token = wording.display_zone.set(zone)
    try:
        results = [_result_row(line.result, zone, lang) for line in a.checks]
        notice_ctx = _notice_context(a, model)
        uptime = a.uptime.words(lang).summary if a.uptime is not None else ""
        step_words = {code: i18n._(msg) for code, msg in viewmodel.STEP_WORDS.items()}
    finally:
        wording.display_zone.reset(zone_token)
        i18n.reset_language(token)
    return render(
        "report.html.j2",
        lang,
        lang=lang,
        case_id=case.path.name,
        written=dates.moment(now, lang),
        zone=dates.zone_words(now, lang),
        m=model.as_context(),
        step_words=step_words,
        uptime=uptime,
        notice=notice_ctx,
        chart=_chart(case, zone, lang),
        results=results,
        statuses=[s.value for s in Status],
    )
