"""`--help` in the user's language: the language is chosen before the parser is built, and
argparse's own words (usage, section titles, -h) come from our catalogue, not argparse's English.
"""

from __future__ import annotations

import argparse

from checks import i18n
from checks.i18n import _


def language_from_argv(argv: list[str]) -> str | None:
    """The `--lang` given anywhere on the command line, read before argparse runs, so that the
    help it prints is already in that language."""
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word.startswith("--lang="):
            value = word.split("=", 1)[1]
        elif word == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        else:
            continue
        if value in i18n.CODES:
            return value
    return None


def _argparse_words() -> dict[str, str]:
    return {
        "positional arguments": _("positional arguments"),
        "options": _("options"),
    }


class LocalisedHelpFormatter(argparse.HelpFormatter):
    """Section titles and the usage prefix in the current language."""

    def start_section(self, heading: str | None) -> None:
        super().start_section(_argparse_words().get(heading or "", heading))

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[override]
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


def add_help_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-h", "--help", action="help", default=argparse.SUPPRESS, help=_("show this help and exit")
    )
