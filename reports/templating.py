"""One jinja2 environment for every template: autoescape for HTML, StrictUndefined so a missing
field is a bug and never a silent blank, and gettext from the same catalogs as the rest."""

from __future__ import annotations

from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")


@cache
def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from checks import i18n, visible

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "svg.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        finalize=visible.finalize,  # text from outside never hides characters in a letter
    )
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)
    return env


def render(name: str, language: str | None = None, **context) -> str:
    """Render a template; ``language`` sets the catalog that {{ _("...") }} uses."""
    from checks import i18n

    token = i18n.use_language(language) if language else None
    try:
        return environment().get_template(name).render(**context)
    finally:
        if token is not None:
            i18n.reset_language(token)


def render_paragraphs(name: str, language: str, codes: list[str], **context) -> str:
    """The paragraphs ``codes``, in order, each the macro ``p_<code>`` of the template ``name``
    (a language's paragraph file), with ``context`` as its variables."""
    from checks import i18n

    token = i18n.use_language(language)
    try:
        module = environment().get_template(name).make_module(context)
        parts = []
        for code in codes:
            macro = getattr(module, f"p_{code}", None)
            if macro is None:
                raise LookupError(f"{name} has no paragraph {code!r} (a macro p_{code})")
            parts.append(str(macro()))
        return "".join(parts)
    finally:
        i18n.reset_language(token)
