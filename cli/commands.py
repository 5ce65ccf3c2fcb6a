"""The headless commands: `python main.py COMMAND` (main.py is the entry point and hands every
command line but the bare one over to :func:`main` here), their parser in the current
language, and their one error boundary.

Only the standard library is imported at module level: `--help` must be instant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
import os
import sys

EXIT_OK, EXIT_WARN, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2, 3


def _positive_seconds(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 24 * 3600:
        raise argparse.ArgumentTypeError("seconds must be between 0 and 86400")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line, its help in the current language (set it before calling this)."""
    import argparse

    from checks import i18n
    from checks.i18n import _
    from cli.help_language import LocalisedHelpFormatter, add_help_option

    class _Parser(argparse.ArgumentParser):
        """Usage errors exit with 3 (DESIGN.md), not argparse's default 2, which means 'problems'."""

        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("formatter_class", LocalisedHelpFormatter)
            kwargs["add_help"] = False
            super().__init__(*args, **kwargs)
            add_help_option(self)

        def error(self, message: str):  # type: ignore[override]
            self.print_usage(sys.stderr)
            self.exit(
                EXIT_USAGE,
                _("{prog}: error: {message}").format(prog=self.prog, message=message) + "\n",
            )

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help=_("print one JSON document"))
    common.add_argument("--lang", choices=i18n.CODES, help=_("language (default: the OS's)"))
    common.add_argument("--case", metavar="DIR", help=_("add what this command produced to a case"))

    parser = _Parser(
        prog="clearline",
        description=_(
            "Clearline: check whether this PC or line is sending spam, and answer your"
            " provider. Without a command, the window opens."
        ),
        epilog=_(
            "Exit status: 0 all clear, 1 warnings or could not tell, 2 problems found,"
            " 3 usage or run error."
        ),
    )
    parser.add_argument(
        "--lang", dest="top_lang", choices=i18n.CODES, help=_("language (default: the OS's)")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    audit = sub.add_parser(
        "audit",
        parents=[common],
        help=_("run checks (all, or --only IDS)"),
        description=_("Run Clearline's checks and print their results."),
    )
    audit.add_argument("--only", metavar="IDS", help=_("comma-separated check IDs, e.g. SMTP-OUT"))
    audit.add_argument(
        "--watch",
        metavar="S",
        type=_positive_seconds,
        default=0.0,
        help=_("poll mail connections for S seconds (catches programs that send in bursts)"),
    )
    audit.add_argument(
        "--network",
        action="store_true",
        help=_(
            "allow lookups that leave this machine (public IP, blocklists, UPnP, the names of the devices at home)"
        ),
    )
    audit.add_argument("--public-ip", metavar="IP", help=_("use this public IP instead of looking"))
    audit.add_argument("--dns-server", metavar="HOST[:PORT]", help=_("DNS server for lookups"))
    audit.add_argument("--list", action="store_true", help=_("list the check IDs and exit"))
    audit.add_argument("--scan", action="store_true", help=_("also run a virus scan (slow)"))

    notice = sub.add_parser(
        "notice",
        parents=[common],
        help=_("analyse the provider's notice or a spam sample (.eml, headers, ARF, text)"),
        description=_(
            "Read the provider's notice, a spam sample or an abuse report and say where"
            " the mail came from (NOTICE-SOURCE) and whether this PC was on then (NOTICE-UPTIME)."
        ),
    )
    notice.add_argument("file", metavar="FILE", help=_("the file, or - to read standard input"))
    notice.add_argument(
        "--public-ip",
        metavar="IP",
        action="append",
        help=_(
            "an address of this line (IPv4 or IPv6); repeat it, or separate several with"
            " commas, to give every address the line has or had"
        ),
    )

    details = sub.add_parser(
        "details",
        parents=[common],
        help=_("record your details and what you have done, for the letter (needs --case)"),
        description=_(
            "Record the details the letter needs and the remediation steps done."
            " Nothing given is left unchanged."
        ),
    )
    for flag, what in (
        ("--name", _("your name")),
        ("--contract-id", _("your contract / customer ID")),
        ("--provider", _("your provider's name")),
        ("--reference", _("the notice's reference number")),
        ("--notice-date", _("the date of the notice")),
        ("--email", _("your contact e-mail address")),
        ("--phone", _("your contact phone number")),
    ):
        details.add_argument(flag, help=what)
    details.add_argument(
        "--done",
        action="append",
        default=[],
        metavar="STEP[=YYYY-MM-DD]",
        help=_(
            "a remediation step done (disconnect, scan, removal, reinstall, updates, password,"
            " router), today unless dated"
        ),
    )

    letter = sub.add_parser(
        "letter", parents=[common], help=_("print the letter to the provider (needs --case)")
    )
    letter.add_argument("--html", action="store_true", help=_("print the HTML version"))
    letter.add_argument(
        "--format",
        choices=("text", "xarf", "self-help"),
        default="text",
        help=_(
            "xarf: print reply.json, the answer for a desk's tools (XARF v4 fields;"
            " docs/reply-json.md), as a bundle made now would carry it; self-help: the two"
            " answers a provider's web form asks for (what was done, what keeps it from"
            " happening again), ready to paste"
        ),
    )
    letter.add_argument(
        "--summary", action="store_true", help=_("print a short support summary instead")
    )

    bundle = sub.add_parser(
        "bundle", parents=[common], help=_("write the evidence bundle (needs --case)")
    )
    bundle.add_argument("--out", metavar="FILE.zip", required=True, help=_("where to write it"))
    bundle.add_argument(
        "--mask-paths", action="store_true", help=_("hide your user name inside file paths")
    )
    bundle.add_argument("--no-pdf", action="store_true", help=_("leave the PDF report out"))
    bundle.add_argument("--force", action="store_true", help=_("replace an existing file at --out"))

    capture = sub.add_parser(
        "capture",
        parents=[common],
        help=_("capture mail traffic and MX lookups for a while (needs administrator rights)"),
        description=_(
            "Capture mail traffic (ports 25, 465, 587, 2525) and DNS for S seconds,"
            " attribute it to programs and keep a scrubbed pcap. Prints JSON lines while it runs."
        ),
    )
    capture.add_argument("--iface", default="all", help=_("interface to watch (default: all)"))
    capture.add_argument(
        "--seconds", type=_positive_seconds, default=600.0, help=_("how long (default 600)")
    )
    capture.add_argument("--pcap", metavar="FILE", help=_("write the scrubbed capture here"))
    capture.add_argument(
        "--events",
        metavar="FILE",
        help=_(
            "also append the JSON lines to FILE (for a window that cannot read our output,"
            " e.g. after a Windows administrator prompt)"
        ),
    )
    capture.add_argument(
        "--stop-file", metavar="FILE", help=_("stop (keeping what was seen) when FILE appears")
    )
    capture.add_argument(
        "--user",
        metavar="NAME",
        help=_(
            "started as root: become this user once the capture is open (default: the user"
            " pkexec or sudo started it for)"
        ),
    )

    analyze = sub.add_parser(
        "analyze", parents=[common], help=_("summarise a capture file recorded elsewhere")
    )
    analyze.add_argument("file", metavar="FILE.pcap", help=_("pcap or pcapng"))

    diagnose = sub.add_parser(
        "diagnose",
        parents=[common],
        help=_(
            "write what every probe saw into one file to send to support (personal data masked)"
        ),
        description=_(
            "Run the checks that stay on this machine and write their raw facts, with the"
            " platform, versions and locale, into one JSON file for the people who improve"
            " Clearline. Your user name and home folder are masked."
        ),
    )
    diagnose.add_argument(
        "--out", metavar="FILE", help=_("where to write it (default: a dated file)")
    )
    verify = sub.add_parser(
        "verify",
        parents=[common],
        help=_("check that a bundle's files match the list written when it was made"),
    )
    verify.add_argument(
        "files",
        nargs="+",
        metavar="FILE.zip|FOLDER",
        help=_("one bundle, or many (and folders of them): then one JSON line per bundle"),
    )
    from cli import journal as journal_cli

    journal_cli.add_parser(sub, common)
    return parser


def _setup_language(lang: str | None) -> None:
    from checks import i18n

    i18n.set_default_language(lang or i18n.detect_language())


def cmd_audit(args: argparse.Namespace) -> int:
    from checks import registry
    from checks.context import Options
    from checks.i18n import _
    from checks.model import exit_code
    from reports import console

    if args.list:
        for spec in registry.ALL:
            print(f"{spec.id:14} {_(spec.title)}")
        return EXIT_OK
    if args.only is not None and not [i for i in args.only.split(",") if i.strip()]:
        print(_("--only needs at least one check ID (see audit --list)."), file=sys.stderr)
        return EXIT_USAGE
    try:
        specs = registry.select(args.only.split(",") if args.only else None)
    except KeyError as exc:
        known = ", ".join(s.id for s in registry.ALL)
        print(
            _("Unknown check ID: {ids}. Known IDs: {known}").format(ids=exc.args[0], known=known),
            file=sys.stderr,
        )
        return EXIT_USAGE
    options = Options(
        scan=args.scan,
        watch=args.watch,
        network=args.network,
        public_ip=args.public_ip,
        dns_server=args.dns_server,
    )
    import signal
    import threading

    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_a: cancel.set())
    if args.watch and not args.json:
        print(
            _("Watching mail connections for {seconds:g} seconds…").format(seconds=args.watch),
            file=sys.stderr,
        )

    progress = _Progress(len(specs), args.watch, enabled=not args.json and sys.stderr.isatty())

    def show(result) -> None:
        progress.done(result)

    from app import flows

    case = _open_case(args) if args.case else None
    try:
        results = flows.audit(case, [s.id for s in specs], options, on_result=show, cancel=cancel)
    finally:
        signal.signal(signal.SIGINT, previous)
    progress.close()
    if args.json:
        json.dump([r.to_dict() for r in results], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for result in console.in_catalog_order(results):
            print(console.format_result(result))
        print(console.format_footer(results))
    return exit_code(results)


class _Progress:
    """While checks run (and a watch waits), one line on a terminal's stderr says how far it
    is; nothing when stderr is not a terminal."""

    def __init__(self, total: int, watch: float, enabled: bool):
        import threading
        import time

        self.total, self.watch, self.enabled = total, watch, enabled
        self.finished = 0
        self.started = time.monotonic()
        self.stop = threading.Event()
        if enabled:
            threading.Thread(target=self._tick, daemon=True).start()

    def done(self, _result) -> None:
        self.finished += 1

    def _line(self) -> str:
        import time

        from checks.i18n import _

        text = _("{done} of {total} checks done").format(done=self.finished, total=self.total)
        if self.watch:
            elapsed = min(self.watch, time.monotonic() - self.started)
            text += " · " + _("watching {elapsed:.0f} of {total:g} s").format(
                elapsed=elapsed, total=self.watch
            )
        return text

    def _tick(self) -> None:
        while not self.stop.wait(0.5):
            _raw(sys.stderr, "\r" + self._line() + "\x1b[K")
            sys.stderr.flush()

    def close(self) -> None:
        self.stop.set()
        if self.enabled:
            _raw(sys.stderr, "\r\x1b[K")
            sys.stderr.flush()


def cmd_notice(args: argparse.Namespace) -> int:
    from checks import errors, i18n, notice
    from checks.i18n import _
    from checks.model import exit_code
    from reports import console

    try:
        if args.file == "-":
            if sys.stdin is None:
                print(_("Standard input is closed: give the notice as a file."), file=sys.stderr)
                return EXIT_USAGE
            from checks.safefile import read_at_most

            data = read_at_most(sys.stdin.buffer, notice.MAX_BYTES + 1)
        else:
            from checks import safefile

            data = safefile.read_regular(args.file, notice.MAX_BYTES)
    except OSError as exc:
        print(
            _("Cannot read {file}: {error}").format(file=args.file, error=errors.what_of(exc)),
            file=sys.stderr,
        )
        return EXIT_USAGE
    from app import flows

    zone = notice.local_zone_for(i18n.get_language())
    case = _open_case(args) if args.case else None
    outcome = flows.read_notice(case, data, public_ip=args.public_ip, zone=zone)
    analysis, results = outcome.analysis, outcome.results
    if args.json:
        json.dump(outcome.document, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(console.format_notice(analysis.to_dict()))
        for r in results:
            print(console.format_result(r))
    if not outcome.readable:
        print(
            _("Nothing usable could be read from {file}.").format(file=args.file), file=sys.stderr
        )
        return EXIT_USAGE
    return exit_code(results)


def _open_case(args: argparse.Namespace):
    """The case named by --case, with its damaged files reported on stderr."""
    from cases.store import Case
    from checks.i18n import _

    case = Case(args.case)
    case.clean_partials()
    case.read_state()
    for item in case.damaged:
        print(
            _(
                "Case file {name} is damaged ({reason}); it is set aside and the rest is used."
            ).format(name=item.name, reason=item.reason),
            file=sys.stderr,
        )
    return case


def _need_case(args: argparse.Namespace):
    from checks.i18n import _

    if not args.case:
        print(_("This command needs --case DIR."), file=sys.stderr)
        return None
    if args.command != "details" and not os.path.isdir(args.case):
        print(_("No case folder at {path}.").format(path=args.case), file=sys.stderr)
        return None
    return _open_case(args)


def cmd_details(args: argparse.Namespace) -> int:
    from checks.i18n import _

    case = _need_case(args)
    if case is None:
        return EXIT_USAGE
    from app import flows
    from cases.store import CaseError

    try:
        flows.record_details(
            case,
            {
                "name": args.name,
                "contract_id": args.contract_id,
                "provider": args.provider,
                "reference": args.reference,
                "notice_date": args.notice_date,
                "email": args.email,
                "phone": args.phone,
            },
            done=args.done,
        )
    except CaseError as exc:
        print(_("Nothing was recorded: {error}").format(error=exc), file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        json.dump(
            {"details": case.details(), "done": case.remediation()},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
    return EXIT_OK


def cmd_letter(args: argparse.Namespace) -> int:
    from app import flows
    from checks import i18n
    from checks.i18n import _
    from reports import report
    from reports.vocabulary import DETAIL_LABELS

    case = _need_case(args)
    if case is None:
        return EXIT_USAGE
    lang = i18n.get_language()
    if args.format == "xarf":
        json.dump(flows.reply_document(case, lang), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    if args.format == "self-help":
        print(flows.self_help_answers(case, lang))
        return EXIT_OK
    if args.summary:
        lines = flows.support_summary(case, lang)
        print(json.dumps(lines, ensure_ascii=False) if args.json else "\n".join(lines))
        return EXIT_OK
    outcome = flows.letter(case, lang)
    model, text = outcome.model, outcome.text
    if args.html:
        text = report.render_letter_html(text, lang)
    if args.json:
        json.dump(
            {
                "lang": lang,
                "kind": model.kind,
                "missing_details": model.missing_details,
                "text": text,
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
    else:
        print(text, end="")
        missing = model.missing_details
        if missing:
            print(
                _("Not filled in yet: {fields} ({command} details --case DIR ...)").format(
                    fields=", ".join(_(DETAIL_LABELS.get(k, k)) for k in missing),
                    command=command_name(),
                ),
                file=sys.stderr,
            )
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace) -> int:
    from checks import i18n
    from checks.i18n import _
    from reports import bundle

    case = _need_case(args)
    if case is None:
        return EXIT_USAGE
    try:
        target = bundle.check_target(args.out, case, force=args.force)
    except bundle.BundleRefused as exc:
        print(_("No bundle was written: {reason}.").format(reason=exc), file=sys.stderr)
        return EXIT_USAGE
    bundle.clean_partials(target.resolve().parent)
    plan = bundle.plan(
        case, i18n.get_language(), mask_paths=args.mask_paths, with_pdf=not args.no_pdf
    )
    listing = {
        "files": sorted([*plan.files, bundle.SUMS]),
        "personal_data": plan.personal,
        "paths_masked": plan.masked,
        "warnings": plan.warnings,
    }
    if not args.json:
        print(_("The bundle will contain:"), file=sys.stderr)
        for name in listing["files"]:
            print(f"  {name}", file=sys.stderr)
        print(_("Personal data in it:"), file=sys.stderr)
        for key, value in plan.personal.items():
            print(f"  {key}: {value}", file=sys.stderr)
        for warning in plan.warnings:
            print(f"  ! {warning}", file=sys.stderr)
    out = bundle.write(plan, target)
    if args.json:
        json.dump({**listing, "written": str(out)}, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(_("Written: {path}").format(path=out))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from checks.i18n import _, word
    from reports import bundle, bundle_check

    for name in args.files:
        if not os.path.exists(name):
            print(
                _("Cannot read {file}: {error}").format(file=name, error="not found"),
                file=sys.stderr,
            )
            return EXIT_USAGE
    if len(args.files) > 1 or os.path.isdir(args.files[0]):
        code = bundle_check.main(args.files)
        return {0: EXIT_OK, 2: EXIT_PROBLEM}.get(code, EXIT_USAGE)
    args.file = args.files[0]
    result = bundle.verify(args.file)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from reports.console import display_width

        labels = [(_("CHANGED"), result.changed), (_("MISSING"), result.missing)]
        labels.append((_("EXTRA"), result.extra))
        # One column for the names, whatever the labels' language (「変更あり」 is 8 cells wide).
        width = max([8, *(display_width(label) for label, _n in labels)]) + 1

        def row(label: str, name: str) -> None:
            print(label + " " * (width - display_width(label)) + name)

        for name in result.checked:
            row("OK", name)
        for label, names in labels:
            for name in names:
                row(label, name)
        for problem in result.problems:
            row("!", word(problem))
        if result.error:
            print(word(result.error))
        print(
            _(
                "The files in the bundle match the checksum list written when it was made. The"
                " list is inside the same zip, so this shows they were not damaged; it does not"
                " show who made them."
            )
            if result.ok
            else _("The bundle has been changed or damaged.")
        )
    if (
        result.error
        and not (result.changed or result.missing or result.extra)
        and "zip" in result.error
    ):
        return EXIT_USAGE
    return EXIT_OK if result.ok else EXIT_PROBLEM


def cmd_capture(args: argparse.Namespace) -> int:
    import threading
    from pathlib import Path

    from checks.i18n import _
    from checks.probes import capture as cap
    from checks.probes import privileges

    stop = threading.Event()
    cap.install_stop_handlers(stop)
    pcap = (
        Path(args.pcap) if args.pcap else (Path(args.case) / "capture.pcap" if args.case else None)
    )
    from launch import frozen, program_folder

    if os.environ.get("PKEXEC_UID") and not frozen():
        print(
            _(
                "Note: the administrator rights were given to the code in {folder} (a source"
                " checkout); they are given up once the capture is open."
            ).format(folder=program_folder()),
            file=sys.stderr,
        )
    try:
        target = privileges.target_user(args.user)
    except privileges.PrivilegeError as exc:
        print(_("Capture is not possible: {reason}.").format(reason=exc), file=sys.stderr)
        return EXIT_USAGE
    events = None

    def give_up_root() -> None:
        """Once the packet socket is open: become the user who asked, keep only what
        attribution needs, and only then open any file."""
        nonlocal events
        if target is not None:
            privileges.drop(target)
        if args.case:
            privileges.check_case_place(Path(args.case))  # before making anything there
            Path(args.case).mkdir(parents=True, exist_ok=True)
            privileges.check_folder(Path(args.case), own=True)
        for folder in {p.parent for p in (pcap, Path(args.events) if args.events else None) if p}:
            folder.mkdir(parents=True, exist_ok=True)
            privileges.check_folder(folder)
        if args.events:
            events = os.fdopen(privileges.open_append(Path(args.events)), "a", encoding="utf-8")

    def emit(doc: dict) -> None:
        if events is not None:
            events.write(json.dumps(doc, ensure_ascii=False) + "\n")
            events.flush()
        if args.json:
            cap.json_line(doc)
        elif doc["type"] == "progress":
            print(
                _(
                    "{elapsed:>6.0f} s  packets {packets}  mail connection attempts {smtp_syn}  MX lookups {mx_queries}"
                ).format(**doc),
                file=sys.stderr,
            )

    if args.stop_file:
        cap.stop_when_file_appears(args.stop_file, stop)
    try:
        summary = cap.capture(args.iface, args.seconds, pcap, emit, stop, after_open=give_up_root)
    except privileges.PrivilegeError as exc:
        print(_("Capture is not possible: {reason}.").format(reason=exc), file=sys.stderr)
        return EXIT_USAGE
    except cap.CaptureError as exc:
        if args.events and events is None:
            # The window follows the events file: it must hear why (written as the user).
            try:
                give_up_root()
            except (OSError, privileges.PrivilegeError):
                pass
        if args.json or events is not None:
            emit({"type": "error", "reason": exc.reason, "how": exc.how})
        print(_("Capture is not possible: {reason}.").format(reason=exc.reason), file=sys.stderr)
        if exc.how:
            print("  " + exc.how, file=sys.stderr)
        return EXIT_USAGE
    from app import flows

    case = _open_case(args) if args.case else None
    results = flows.finish_capture(case, summary)
    if events is not None:
        events.write(
            json.dumps(
                {"type": "summary", **summary, "results": [r.to_dict() for r in results]},
                ensure_ascii=False,
            )
            + "\n"
        )
        events.close()
    return _print_traffic(args, summary, results)


def _print_traffic(args, summary: dict, results) -> int:
    from checks.model import exit_code

    document = {"type": "summary", **summary, "results": [r.to_dict() for r in results]}
    if args.json:
        from reports import jsonout

        jsonout.write(sys.stdout, document)  # a bot's capture: megabytes, written as made
        print()
    else:
        from reports import console

        for r in results:
            print(console.format_result(r))
    return exit_code(results)


def cmd_analyze(args: argparse.Namespace) -> int:
    import gc

    # A bot's capture makes tens of thousands of flows that live to the end and hold no cycles:
    # the collector's full passes would walk them again and again to free nothing (0.1-0.2 s of
    # a million-packet capture). Rarer passes, not none: a cycle is still freed.
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        return _analyze(args)
    finally:
        gc.set_threshold(*before)


def _analyze(args: argparse.Namespace) -> int:
    from app import flows
    from checks import errors
    from checks.i18n import _

    case = _open_case(args) if args.case else None

    def progress(frames: int, read: int | None) -> None:
        size = f", {read / 1e6:.0f} MB" if read else ""
        _raw(sys.stderr, f"\r{frames:,} packets{size}…")
        sys.stderr.flush()

    shown = sys.stderr is not None and sys.stderr.isatty()
    try:
        summary, results = flows.analyze_capture(case, args.file, progress if shown else None)
    except OSError as exc:
        print(
            _("Cannot read {file}: {error}").format(file=args.file, error=errors.what_of(exc)),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except flows.CaptureUnreadable as exc:
        print(
            _("{file} cannot be read: {reason}.").format(file=args.file, reason=exc),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if shown:
        print("\r", end="", file=sys.stderr)
    for warning in summary.get("warnings") or []:
        print(f"! {warning}", file=sys.stderr)
    if not results:
        print(
            _("{file} holds no packets that could be read.").format(file=args.file), file=sys.stderr
        )
        if args.json:
            print(json.dumps({"type": "summary", **summary, "results": []}, ensure_ascii=False))
        return EXIT_USAGE
    return _print_traffic(args, summary, results)


def cmd_diagnose(args: argparse.Namespace) -> int:
    from cases import diagnostics
    from checks import errors
    from checks.i18n import _

    try:
        path = diagnostics.write(args.out)
    except OSError as exc:
        print(
            _("Could not write {path}: {reason}").format(
                path=args.out or "", reason=errors.what_of(exc)
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.json:
        json.dump({"written": str(path)}, sys.stdout)
        print()
    else:
        print(_("Written: {path}").format(path=path))
        print(
            _("Look it over, then send it to the person helping you; nothing was sent."),
            file=sys.stderr,
        )
    return EXIT_OK


def command_name() -> str:
    """How the user runs Clearline from a terminal: the packaged executable or main.py."""
    from launch import frozen

    return os.path.basename(sys.executable) if frozen() else "main.py"


def cmd_journal(args: argparse.Namespace) -> int:
    from cli import journal as cli

    return cli.main(args)


def _raw(stream, text: str) -> None:
    """Clearline's own terminal controls (a progress line), past the visible-text filter."""
    (getattr(stream, "raw", None) or stream.write)(text)


def main(argv: list[str], open_window: Callable[[], int]) -> int:
    """A command line with something on it (or any, when run elevated); ``open_window`` when
    it names no command."""
    from app import elevation_door

    if elevation_door.elevated_for_a_user() and not argv:
        print(elevation_door.refusal(None), file=sys.stderr)
        return EXIT_USAGE
    from cli.help_language import language_from_argv

    _setup_language(language_from_argv(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_language(getattr(args, "lang", None) or args.top_lang)
    refused = elevation_door.refusal(args)
    if refused:
        print(refused, file=sys.stderr)
        return EXIT_USAGE
    if args.command is None:
        return open_window()
    handlers = {
        "audit": cmd_audit,
        "notice": cmd_notice,
        "details": cmd_details,
        "letter": cmd_letter,
        "bundle": cmd_bundle,
        "verify": cmd_verify,
        "capture": cmd_capture,
        "analyze": cmd_analyze,
        "diagnose": cmd_diagnose,
        "journal": cmd_journal,
    }
    return run_guarded(handlers[args.command], args)


EXIT_INTERRUPTED = 130


def run_guarded(handler, args) -> int:
    """The one error boundary of the headless commands: whatever happens, a readable message and
    an exit code from the contract, never a traceback (that goes to a log file)."""
    from checks.i18n import _

    try:
        return handler(args)
    except KeyboardInterrupt:
        print(_("Interrupted; nothing half-written was left behind."), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_USAGE
    except OSError as exc:
        from checks.errors import describe

        print(f"clearline: {describe(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from app.crashlog import write_crash_log

        log = write_crash_log(exc)
        print(
            _(
                "Clearline stopped because of an internal error ({error}). What was saved before"
                " it is kept. Details: {log}"
            ).format(error=type(exc).__name__, log=log),
            file=sys.stderr,
        )
        return EXIT_USAGE
