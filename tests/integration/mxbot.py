"""A stand-in for a spam bot that looks up MX records itself, then talks SMTP directly to each
mail server: stdlib only, so it runs from a copied interpreter in a hidden folder.

    mxbot.py DNS_IP DOMAIN=IP [DOMAIN=IP ...]

For each domain: one MX query (UDP, port 53) to DNS_IP, then one SMTP session to port 25 of IP
lasting about 30 ms. Prints "done N".
"""

import smtplib
import socket
import struct
import sys
import time

dns_ip = sys.argv[1]
targets = [a.split("=", 1) for a in sys.argv[2:]]
print("ready", flush=True)
time.sleep(float(__import__("os").environ.get("MXBOT_DELAY", "1.0")))
done = 0
for i, (domain, ip) in enumerate(targets):
    query = struct.pack("!HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0)
    query += (
        b"".join(bytes([len(p)]) + p.encode() for p in domain.split("."))
        + b"\0"
        + struct.pack("!HH", 15, 1)
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(2)
        u.sendto(query, (dns_ip, 53))
        try:
            u.recvfrom(2048)
        except OSError:
            pass
    with smtplib.SMTP(ip, 25, local_hostname="bot.invalid", timeout=5) as s:
        s.ehlo()
        s.mail(f"promo@{domain}")
        time.sleep(0.03)
        s.rcpt(f"someone@{domain}")
    done += 1
print(f"done {done}", flush=True)
