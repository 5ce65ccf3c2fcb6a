"""A stand-in for a spam bot: short SMTP sessions to port 25, one after another.

Run with a *copy* of the Python interpreter placed in a hidden temporary folder, as malware
does. Each session (connect, EHLO, MAIL, RCPT, QUIT) lasts under 100 ms: on loopback it would
take a few milliseconds, so it waits HOLD seconds inside the session, as the round trips to a
remote mail server would. It prints the longest session it made.

    bot.py HOST PORT SECONDS [PAUSE [HOLD]]
"""

import smtplib
import sys
import time

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.3
hold = float(sys.argv[5]) if len(sys.argv) > 5 else 0.03
longest = 0.0
deadline = time.monotonic() + seconds
sent = 0
print("ready", flush=True)
while time.monotonic() < deadline:
    try:
        t0 = time.monotonic()
        with smtplib.SMTP(host, port, local_hostname="bot.invalid", timeout=5) as s:
            s.ehlo()
            s.mail(f"sales{sent}@example.net")
            time.sleep(hold)
            s.rcpt("victim@example.org")
        longest = max(longest, time.monotonic() - t0)
        sent += 1
    except OSError as exc:
        print(f"error {exc}", flush=True)
    time.sleep(pause)
print(f"sent {sent} longest_ms {longest * 1000:.1f}", flush=True)
