"""Stand-in for `main.py capture` in GUI tests: replays a recorded JSON-lines stream with the
real pacing (one progress line a tick), then finishes like the real command: with --case, the
summary goes through the same capture flow (saved to the case once) and its results are added
to the summary line."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

args = sys.argv[1:]
events = args[args.index("--events") + 1] if "--events" in args else None
case_path = args[args.index("--case") + 1] if "--case" in args else None
path, delay = args[0], float(args[1]) if len(args) > 1 and not args[1].startswith("--") else 0.1
out = open(events, "a", encoding="utf-8") if events else sys.stdout
with open(path, encoding="utf-8") as fp:
    for line in fp:
        doc = json.loads(line)
        if doc.get("type") == "summary" and case_path:
            from app import flows
            from cases.store import Case

            results = flows.finish_capture(Case(case_path), doc)
            line = json.dumps({**doc, "results": [r.to_dict() for r in results]}) + "\n"
        out.write(line)
        out.flush()
        time.sleep(delay)
