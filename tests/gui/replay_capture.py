"""Stand-in for `main.py capture` in GUI tests: replays a recorded JSON-lines stream with the
real pacing (one progress line a tick), then exits like the real command."""

import sys
import time

path, delay = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
with open(path, encoding="utf-8") as fp:
    for line in fp:
        sys.stdout.write(line)
        sys.stdout.flush()
        time.sleep(delay)
