"""`main.py journal …`: run, verify, show, status, export, install, uninstall."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from checks import errors, i18n
from checks.i18n import _
from journal import state as journal_state

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_WARN, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2, 3


def add_parser(sub, common) -> None:
    journal = sub.add_parser(
        "journal",
        help=_("keep a record of every mail connection this PC makes, and read it"),
        description=_(
            "The outbound-mail journal: a small recorder of every connection to a mail"
            " port (25, 465, 587, 2525) and every MX lookup, with the program that made it, in a"
            " hash-chained database; so a complaint about a given hour can be answered from a"
            " record."
        ),
    )
    actions = journal.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    db = {"metavar": "PATH", "help": _("the journal database (default: this machine's)")}

    run = actions.add_parser("run", help=_("record in the foreground until Ctrl-C or SIGTERM"))
    run.add_argument("--db", **db)
    run.add_argument(
        "--source",
        choices=["auto", "capture", "poll"],
        default="auto",
        help=_(
            "capture (Linux, root: every attempt), poll (the connection table a few times a"
            " second: partial), auto (the best this process may use)"
        ),
    )
    run.add_argument("--iface", help=_("capture on this interface only (default: all)"))
    run.add_argument(
        "--keep-days", type=float, default=90.0, help=_("remove records older than this (90)")
    )
    run.add_argument("--heartbeat", type=float, default=60.0, help=argparse_suppress())

    verify = actions.add_parser(
        "verify", help=_("check the hash chain: exit 0 intact, 2 naming the first bad record")
    )
    verify.add_argument("--db", **db)
    verify.add_argument(
        "--head",
        metavar="HASH",
        help=_(
            "also check that the journal still holds this record hash (a head printed in an"
            " earlier reply)"
        ),
    )
    verify.add_argument("--json", action="store_true", help=_("print one JSON document"))

    show = actions.add_parser("show", help=_("events and coverage for a time range"))
    show.add_argument("--db", **db)
    show.add_argument("--from", dest="start", metavar="TIME", help=_("ISO 8601 or local time"))
    show.add_argument("--to", dest="end", metavar="TIME", help=_("ISO 8601 or local time"))
    show.add_argument("--json", action="store_true", help=_("print one JSON document"))

    status = actions.add_parser("status", help=_("is it running, since when, how much it holds"))
    status.add_argument("--db", **db)
    status.add_argument("--json", action="store_true", help=_("print one JSON document"))

    export = actions.add_parser(
        "export", help=_("copy a time range, its coverage and the chain proof into a case")
    )
    export.add_argument("--db", **db)
    export.add_argument("--from", dest="start", metavar="TIME", required=True)
    export.add_argument("--to", dest="end", metavar="TIME", required=True)
    export.add_argument("--case", metavar="DIR", required=True)

    install = actions.add_parser("install", help=_("start the recorder with the machine"))
    install.add_argument("--db", **db)
    install.add_argument("--dry-run", action="store_true", help=_("say what would be done"))
    uninstall = actions.add_parser("uninstall", help=_("stop starting it with the machine"))
    uninstall.add_argument("--dry-run", action="store_true", help=_("say what would be done"))
    for p in (run, verify, show, status, export, install, uninstall):
        p.add_argument("--lang", choices=i18n.CODES, help=_("language (default: the OS's)"))


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS


def main(args: argparse.Namespace) -> int:
    handlers = {
        "run": cmd_run,
        "verify": cmd_verify,
        "show": cmd_show,
        "status": cmd_status,
        "export": cmd_export,
        "install": cmd_install,
        "uninstall": cmd_uninstall,
    }
    import sqlite3

    from checks.i18n import _
    from journal.store import JournalError

    try:
        return handlers[args.journal_command](args)
    except (JournalError, sqlite3.DatabaseError) as exc:
        # A damaged file, a FIFO, another program's database, a newer format: said plainly.
        print(_("The journal cannot be read: {error}").format(error=exc), file=sys.stderr)
        return EXIT_PROBLEM


def _zone():
    return datetime.now().astimezone().tzinfo


def _reading_db(args) -> Path | None:
    from checks.i18n import _
    from journal import paths

    db = paths.db_for_reading(getattr(args, "db", None))
    if db is None or not db.exists():
        print(
            _(
                "There is no journal yet{where}. Start one with: journal install (or journal run)."
            ).format(where=f" ({db})" if db else ""),
            file=sys.stderr,
        )
        return None
    return db


# --- run ------------------------------------------------------------------------------------
def cmd_run(args) -> int:
    import threading

    from checks.i18n import _
    from checks.probes.capture import CaptureError, install_stop_handlers
    from journal import paths, recorder

    db = paths.db_for_writing(args.db)
    running = paths.running(db)
    if running.running:
        print(
            _("A recorder is already writing {db} (pid {pid}).").format(db=db, pid=running.pid),
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        source = recorder.open_source(args.source, args.iface)
    except CaptureError as exc:
        print(
            _("The journal cannot capture: {reason}.").format(reason=exc.reason)
            + (f" {exc.how}" if exc.how else ""),
            file=sys.stderr,
        )
        return EXIT_USAGE
    stop = threading.Event()
    install_stop_handlers(stop)
    rec = recorder.Recorder(db, source, heartbeat_s=args.heartbeat, keep_days=args.keep_days)
    rec.on_problem = lambda problem: paths.write_pid(db, problem)

    def started(info: dict) -> None:
        paths.write_pid(db)
        if info["mode"] == "capture":
            line = _("Recording every mail connection and MX lookup into {db}.")
        else:
            line = _(
                "Recording into {db} by looking at the connection table every {seconds:g} s:"
                " a connection shorter than that can be missed, and MX lookups are not seen"
                " ({why})."
            )
        print(
            line.format(db=db, seconds=info.get("interval_s") or 0, why=info.get("why") or "-"),
            file=sys.stderr,
            flush=True,
        )

    from journal.store import JournalError

    try:
        written = rec.run(stop, on_start=started)
    except JournalError as exc:
        print(_("The journal cannot be written: {error}.").format(error=exc), file=sys.stderr)
        return EXIT_USAGE
    finally:
        paths.clear_pid(db)
    print(_("Stopped; {n} events recorded.").format(n=written), file=sys.stderr)
    return EXIT_OK


# --- verify ---------------------------------------------------------------------------------
def cmd_verify(args) -> int:
    import sqlite3

    from checks.i18n import _
    from journal.store import JournalError

    db = _reading_db(args)
    if db is None:
        return EXIT_USAGE
    try:
        doc = journal_state.verify_doc(db, args.head)
    except (JournalError, OSError, sqlite3.DatabaseError) as exc:
        print(
            _("The journal cannot be read: {error}").format(error=errors.describe(exc)),
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    if args.json:
        json.dump(doc, sys.stdout, indent=2)
        print()
        return EXIT_OK if doc["ok"] else EXIT_PROBLEM
    chain, logged = doc["chain"], doc["heads"]
    if chain["ok"]:
        print(
            _("The journal is intact: {n} records, each following from the one before.").format(
                n=chain["checked"]
            )
        )
    else:
        words = {
            "changed": _("record {seq} was changed"),
            "removed": _("record {seq} was removed"),
            "inserted": _("a record was inserted at {seq}"),
            "reordered": _("records {seq} and the next were swapped"),
            "anchor": _("the start of the chain (record {seq}) was moved"),
        }
        print(
            _("The journal was tampered with: {what} ({detail}).").format(
                what=words.get(chain["problem"] or "", "{seq}").format(seq=chain["seq"]),
                detail=chain["detail"],
            )
        )
    if not logged["ok"]:
        print(
            _("It no longer matches the heads its recorder wrote beside it: {detail}.").format(
                detail=logged["detail"]
            )
        )
    if "head" in doc:
        if doc["head"]["found"]:
            print(_("It still holds the record {hash} (record {seq}).").format(**doc["head"]))
        else:
            print(
                _("It does not hold the record {hash}: that part was changed or removed.").format(
                    **doc["head"]
                )
            )
    if doc["writable_by"]:
        print(
            _(
                "Warning: the journal file can be written by {who}: anyone of them could have"
                " changed it (a change still shows in the chain unless the whole chain was"
                " computed again)."
            ).format(who=", ".join(doc["writable_by"]))
        )
    print(
        _(
            "What this proves: the records follow one another and match the heads written at"
            " the time. Someone able to rewrite the database and the heads file together can"
            " rewrite history; a head printed in a reply to your provider is what makes that"
            " visible later (journal verify --head HASH)."
        )
    )
    return EXIT_OK if doc["ok"] else EXIT_PROBLEM


# --- show -----------------------------------------------------------------------------------
def _range(args, default_hours: float = 24.0) -> tuple[datetime, datetime]:
    from journal.coverage import parse_time

    zone = _zone()
    end = parse_time(args.end, zone) if args.end else datetime.now().astimezone()
    start = parse_time(args.start, zone) if args.start else end - timedelta(hours=default_hours)
    return start, end


def _db_and_range(args):
    """(database, start, end) for show and export, or None after saying why."""
    db = _reading_db(args)
    if db is None:
        return None
    try:
        start, end = _range(args)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return None
    return db, start, end


def cmd_show(args) -> int:
    from checks.i18n import _
    from journal.export import window_doc

    opened = _db_and_range(args)
    if opened is None:
        return EXIT_USAGE
    db, start, end = opened
    from journal.export import WindowTooLarge

    try:
        doc = window_doc(db, start, end, _zone())
    except WindowTooLarge as exc:
        print(_("Nothing is shown: {why}.").format(why=exc), file=sys.stderr)
        return EXIT_USAGE
    checked = doc.get("verification") or {}
    if args.json:
        doc["proof"].pop("records", None)  # the chain proof is for export; show stays short
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    cov = doc["coverage"]
    print(_("Journal {db}, {start} – {end}").format(db=db, start=cov["from"], end=cov["to"]))
    spans = [(s["from"], s["to"], s["mode"]) for s in cov["running"]]
    spans += [(g["from"], g["to"], None) for g in cov["gaps"]]
    for start, end, mode in sorted(spans, key=lambda x: _instant(x[0])):
        if mode is None:
            line = _("NOT running {start} – {end}")
        elif mode == "capture":
            line = _("running {start} – {end} (every attempt seen)")
        else:
            line = _("running {start} – {end} (connections polled: partial)")
        print("  " + line.format(start=start, end=end))
    if not doc["events"]:
        print(_("No mail connection or MX lookup was recorded in this range."))
    for e in doc["events"]:
        print("  " + format_event(e))
    if checked.get("trusted") is not True:
        # What it shows is what the file holds, not what happened: say so, and do not end as
        # if all were well (a rewritten journal showed "running… every attempt seen", exit 0).
        from cases.assessment import journal_problem

        print(
            _("These records cannot be relied on: {why}. Run journal verify.").format(
                why=_(journal_problem(checked, doc.get("proof") or {}))
            ),
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    return EXIT_OK


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def format_event(e: dict) -> str:
    program = e.get("program") or {}
    who = program.get("name") or f"({e.get('owner_problem') or '?'})"
    if program.get("pid"):
        who += f" pid {program['pid']}"
    if e["kind"] == "mx":
        return f"{e['time']}  MX {e.get('name')} via {e.get('server')}  {who}"
    return f"{e['time']}  {e.get('remote')}:{e.get('rport')}  {who}  {program.get('exe') or ''}"


# --- status ---------------------------------------------------------------------------------
def cmd_status(args) -> int:
    from checks.i18n import _

    db = _reading_db(args)
    if db is None:
        return EXIT_WARN
    doc = journal_state.status_doc(db)
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        state = (
            _("running since {since} (pid {pid})").format(since=doc["since"], pid=doc["pid"])
            if doc["running"]
            else _("not running: {why}").format(why=doc["why_not"])
        )
        print(_("Journal {db}: {state}.").format(db=db, state=state))
        if doc.get("problem"):
            print(_("It cannot write: {problem}.").format(problem=doc["problem"]))
        print(
            _("{events} events in {records} records, {first} – {last}, {mb:.1f} MB.").format(
                events=doc["events"],
                records=doc["records"],
                first=doc["first_record"] or "-",
                last=doc["last_record"] or "-",
                mb=doc["size_bytes"] / 1e6,
            )
        )
    return EXIT_OK if doc["running"] else EXIT_WARN


# --- export ---------------------------------------------------------------------------------
def cmd_export(args) -> int:
    from app import flows
    from cases.store import Case
    from checks.i18n import _

    opened = _db_and_range(args)
    if opened is None:
        return EXIT_USAGE
    db, start, end = opened
    from journal.export import WindowTooLarge

    case = Case(args.case)
    try:
        doc = flows.record_journal(case, db, start, end, _zone())
    except WindowTooLarge as exc:
        print(_("Nothing was copied: {why}.").format(why=exc), file=sys.stderr)
        return EXIT_USAGE
    cov = doc["coverage"]
    print(
        _(
            "Copied {n} events from {start} to {end} into {case} (journal running throughout: {all})."
        ).format(
            n=len(doc["events"]),
            start=cov["from"],
            end=cov["to"],
            case=case.path,
            all=_("yes") if cov["complete"] else _("no"),
        )
    )
    return EXIT_OK


# --- install --------------------------------------------------------------------------------
def cmd_install(args) -> int:
    from checks.i18n import _
    from journal import paths, service

    db = Path(args.db) if args.db else paths.system_dir() / paths.DB_NAME
    plan = service.install_plan(db)
    warning = service.source_checkout_warning()
    if warning:
        print(warning, file=sys.stderr)
    return _carry_out(plan, args.dry_run, _("The journal will start with this machine."))


def cmd_uninstall(args) -> int:
    from checks.i18n import _
    from journal import service

    plan = service.uninstall_plan()
    return _carry_out(plan, args.dry_run, _("The journal no longer starts with this machine."))


def _carry_out(plan, dry_run: bool, done_words: str) -> int:
    import subprocess

    from checks.i18n import _
    from journal import service

    if not plan.possible:
        print(plan.manual)
        return EXIT_WARN
    if dry_run:
        for path, content in plan.files.items():
            print(f"# {path}\n{content}")
        for path in plan.remove:
            print(f"rm {path}")
        for argv in plan.commands:
            print(" ".join(argv))
        return EXIT_OK
    try:
        for line in service.apply(plan):
            print(line)
    except PermissionError:
        print(
            _("This needs administrator rights: run it again with sudo (or as administrator)."),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        print(_("It could not be done: {error}").format(error=detail.strip()), file=sys.stderr)
        return EXIT_USAGE
    print(done_words)
    return EXIT_OK
