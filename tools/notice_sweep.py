"""Read every mail of some real collections with the notice reader, and compare with a run before.

Real material nobody here wrote (bounces, phishing, abuse-desk samples) breaks rules our own
tests never state. A change to the notice reader is swept over it twice, before and after, and
every answer that moved is read by hand:

    git stash; python tools/notice_sweep.py REPO... > /tmp/before.json; git stash pop
    python tools/notice_sweep.py REPO... --against /tmp/before.json

REPO is a bare git repository (as `fetch` leaves them under /work/.mirror/*/repo) or a folder;
its .eml, .msg, .txt and .mbox files are read as notices against the line 203.0.113.45. Nothing
is sent anywhere. What is kept per file: the verdict, its code, the input's kind, the bot
report and the addresses the notice's words name as the source."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import notice

SUFFIXES = (".eml", ".msg", ".txt", ".mbox")
LINE = "203.0.113.45"


def mails(source: str, limit: int) -> Iterator[tuple[str, bytes]]:
    path = Path(source)
    if (path / "HEAD").is_file():  # a bare repository
        git = ["git", "--git-dir", str(path)]
        names = subprocess.run(
            [*git, "ls-tree", "-r", "HEAD", "--name-only"], capture_output=True, text=True
        ).stdout.splitlines()
        for name in [n for n in names if n.lower().endswith(SUFFIXES)][:limit]:
            blob = subprocess.run([*git, "show", f"HEAD:{name}"], capture_output=True).stdout
            yield f"{source}:{name}", blob
    else:
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        for file in files[:limit]:
            yield str(file), file.read_bytes()


def answer(data: bytes) -> dict:
    try:
        a = notice.analyse(data[:3_000_000], LINE)
    except Exception as exc:  # a crash is an answer to read, never the end of the sweep
        return {"crash": f"{type(exc).__name__}: {exc}"}
    return {
        "verdict": a.verdict,
        "code": a.explanation_code,
        "kind": a.kind,
        "bot_report": a.claim.get("bot_report"),
        "named_sources": a.claim.get("named_sources"),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="+")
    ap.add_argument("--against", help="a JSON file an earlier sweep wrote")
    ap.add_argument("--limit", type=int, default=4000, help="files per source")
    args = ap.parse_args()
    found = {name: answer(data) for s in args.sources for name, data in mails(s, args.limit)}
    if not args.against:
        json.dump(found, sys.stdout, ensure_ascii=False, indent=1)
        return 0
    before = json.loads(Path(args.against).read_text(encoding="utf-8"))
    moved = {n: (before.get(n), now) for n, now in found.items() if before.get(n) != now}
    for name, (was, now) in moved.items():
        print(f"{name}\n  before {json.dumps(was, ensure_ascii=False)}")
        print(f"  after  {json.dumps(now, ensure_ascii=False)}")
    crashes = sum(1 for a in found.values() if "crash" in a)
    print(f"{len(found)} read, {len(moved)} moved, {crashes} crashed", file=sys.stderr)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
