"""When each operating system version stops getting security fixes: one small, dated table.

TABLE_AS_OF says when it was last checked; update the entries and that date together.

Sources (checked 2026-11-22):
- Windows 10: end of support 2025-10-14 (Microsoft lifecycle, "Windows 10 Home and Pro").
  Consumer Extended Security Updates were first announced to end 2026-10-13; Microsoft's ESU
  page was updated on 2026-06-29 to run consumer ESU through 2027-10-12 for enrolled 22H2 PCs
  (Windows Experience Blog / support.microsoft.com "Windows 10 Consumer Extended Security
  Updates"). Without ESU enrolment a Windows 10 PC gets no fixes today.
- Windows 11 Home/Pro feature updates get 24 months, Enterprise/Education 36 months
  (learn.microsoft.com "Windows 11 release information"): 23H2 Home/Pro ended 2025-11-11,
  24H2 Home/Pro ended 2026-10-13, 25H2 Home/Pro runs to 2027-10-12.
- Windows 7 ended 2020-01-14, Windows 8.1 ended 2023-01-10.
- LTSB/LTSC (learn.microsoft.com lifecycle): LTSB 2016 to 2026-10-13; LTSC 2019 to
  2029-01-09; LTSC 2021 to 2027-01-12 (IoT LTSC 2021 to 2032-01-13); LTSC 2024 to 2029-10-09
  (IoT LTSC 2024 to 2034-10-10).
- Debian: regular security support for 12 ended 2026-06-10, LTS to 2028-06-30; 11 LTS ended
  2026-08-31; 13 released 2025-08-09 (debian.org/security, wiki.debian.org/LTS).
- Ubuntu: standard support 5 years for LTS, 9 months for interim releases (ubuntu.com/about/
  release-cycle). ESM (Ubuntu Pro) continues after standard support for LTS releases.
- macOS: Apple ships security fixes for the current major version and the two before it;
  macOS 27 was released in September 2026, so 27, 26 (Tahoe) and 15 (Sequoia) are covered.
- Fedora: each release is supported until four weeks after the next-but-one release (~13 months).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

TABLE_AS_OF = date(2026, 11, 22)


@dataclass(frozen=True)
class Support:
    name: str
    ends: date | None  # end of regular security fixes (None: not announced yet)
    extended_until: date | None = None  # LTS/ESU: fixes continue, narrower or paid
    extended_name: str | None = None


# Windows: keyed by (build, edition family). Edition family: "home" (Home/Pro/Pro for
# Workstations), "enterprise" (Enterprise/Education/IoT Enterprise).
WINDOWS = {
    (7601, "home"): Support("Windows 7 SP1", date(2020, 1, 14)),
    (9600, "home"): Support("Windows 8.1", date(2023, 1, 10)),
    (19045, "home"): Support(
        "Windows 10 22H2", date(2025, 10, 14), date(2027, 10, 12), "Extended Security Updates"
    ),
    (19045, "enterprise"): Support(
        "Windows 10 22H2", date(2025, 10, 14), date(2028, 10, 10), "Extended Security Updates"
    ),
    (22621, "home"): Support("Windows 11 22H2", date(2024, 10, 8)),
    (22621, "enterprise"): Support("Windows 11 22H2", date(2025, 10, 14)),
    (22631, "home"): Support("Windows 11 23H2", date(2025, 11, 11)),
    (22631, "enterprise"): Support("Windows 11 23H2", date(2026, 11, 10)),
    (26100, "home"): Support("Windows 11 24H2", date(2026, 10, 13)),
    (26100, "enterprise"): Support("Windows 11 24H2", date(2027, 10, 12)),
    (26200, "home"): Support("Windows 11 25H2", date(2027, 10, 12)),
    (26200, "enterprise"): Support("Windows 11 25H2", date(2028, 10, 10)),
    # Long-term servicing channel (learn.microsoft.com lifecycle pages for each LTSB/LTSC).
    (14393, "ltsc"): Support("Windows 10 Enterprise LTSB 2016", date(2026, 10, 13)),
    (14393, "iot_ltsc"): Support("Windows 10 IoT Enterprise LTSB 2016", date(2026, 10, 13)),
    (17763, "ltsc"): Support("Windows 10 Enterprise LTSC 2019", date(2029, 1, 9)),
    (17763, "iot_ltsc"): Support("Windows 10 IoT Enterprise LTSC 2019", date(2029, 1, 9)),
    (19044, "ltsc"): Support("Windows 10 Enterprise LTSC 2021", date(2027, 1, 12)),
    (19044, "iot_ltsc"): Support("Windows 10 IoT Enterprise LTSC 2021", date(2032, 1, 13)),
    (26100, "ltsc"): Support("Windows 11 Enterprise LTSC 2024", date(2029, 10, 9)),
    (26100, "iot_ltsc"): Support("Windows 11 IoT Enterprise LTSC 2024", date(2034, 10, 10)),
}
# Windows 10 builds before 22H2 (all ended by 2023) are handled as "older than 19045".

MACOS_MAJORS = {  # major -> (name, release date)
    27: ("macOS 27", date(2026, 9, 14)),
    26: ("macOS Tahoe 26", date(2025, 9, 15)),
    15: ("macOS Sequoia 15", date(2024, 9, 16)),
    14: ("macOS Sonoma 14", date(2023, 9, 26)),
    13: ("macOS Ventura 13", date(2022, 10, 24)),
    12: ("macOS Monterey 12", date(2021, 10, 25)),
    11: ("macOS Big Sur 11", date(2020, 11, 12)),
}

LINUX = {
    ("debian", "10"): Support("Debian 10", date(2022, 9, 10), date(2024, 6, 30), "LTS"),
    ("debian", "11"): Support("Debian 11", date(2024, 8, 14), date(2026, 8, 31), "LTS"),
    ("debian", "12"): Support("Debian 12", date(2026, 6, 10), date(2028, 6, 30), "LTS"),
    ("debian", "13"): Support("Debian 13", date(2028, 8, 9), date(2030, 6, 30), "LTS"),
    ("ubuntu", "20.04"): Support("Ubuntu 20.04 LTS", date(2025, 5, 31), date(2030, 4, 30), "ESM"),
    ("ubuntu", "22.04"): Support("Ubuntu 22.04 LTS", date(2027, 6, 30), date(2032, 4, 30), "ESM"),
    ("ubuntu", "24.04"): Support("Ubuntu 24.04 LTS", date(2029, 5, 31), date(2034, 4, 30), "ESM"),
    ("ubuntu", "24.10"): Support("Ubuntu 24.10", date(2025, 7, 10)),
    ("ubuntu", "25.04"): Support("Ubuntu 25.04", date(2026, 1, 15)),
    ("ubuntu", "25.10"): Support("Ubuntu 25.10", date(2026, 7, 9)),
    ("ubuntu", "26.04"): Support("Ubuntu 26.04 LTS", date(2031, 5, 31), date(2036, 4, 30), "ESM"),
    ("fedora", "40"): Support("Fedora 40", date(2025, 5, 13)),
    ("fedora", "41"): Support("Fedora 41", date(2025, 12, 15)),
    ("fedora", "42"): Support("Fedora 42", date(2026, 5, 13)),
    ("fedora", "43"): Support("Fedora 43", date(2026, 12, 9)),
    ("fedora", "44"): Support("Fedora 44", date(2027, 5, 19)),
}


def windows_family(edition_id: str | None) -> str:
    """Edition family: "home", "enterprise", or the long-term servicing channel ("ltsc",
    "iot_ltsc": EditionID EnterpriseS/EnterpriseSN and IoTEnterpriseS), which keeps a release
    for 5 or 10 years and must never fall into the Home/Pro branch."""
    edition = (edition_id or "").lower()
    if edition.startswith("iotenterprises"):
        return "iot_ltsc"
    if edition.startswith("enterprises"):
        return "ltsc"
    return (
        "enterprise" if edition.startswith(("enterprise", "education", "iotenterprise")) else "home"
    )


def macos_supported_majors(today: date) -> list[int]:
    released = sorted((m for m, (_n, rel) in MACOS_MAJORS.items() if rel <= today), reverse=True)
    return released[:3]
