"""Stand-in for `main.py capture` in GUI tests: replays a recorded JSON-lines stream with the
real pacing (one progress line a tick), then exits like the real command."""

import sys
import time

args = sys.argv[1:]
events = args[args.index("--events") + 1] if "--events" in args else None
path, delay = args[0], float(args[1]) if len(args) > 1 and not args[1].startswith("--") else 0.1
out = open(events, "a", encoding="utf-8") if events else sys.stdout
with open(path, encoding="utf-8") as fp:
    for line in fp:
        out.write(line)
        out.flush()
        time.sleep(delay)
