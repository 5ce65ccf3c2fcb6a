"""Every check Clearline has, in the order they are shown."""

from __future__ import annotations

from checks import antivirus, blocklist, clock, firewall, lan, proxy, smtp, support, updates, upnp
from checks.model import CheckSpec

ALL: tuple[CheckSpec, ...] = (
    *smtp.SPECS,
    *proxy.SPECS,
    *updates.SPECS,
    *support.SPECS,
    *antivirus.SPECS,
    *firewall.SPECS,
    *clock.SPECS,
    *lan.SPECS,
    *upnp.SPECS,
    *blocklist.SPECS,
)


def by_id() -> dict[str, CheckSpec]:
    return {spec.id: spec for spec in ALL}


def select(ids: list[str] | None) -> list[CheckSpec]:
    """The checks named in ``ids`` (case-insensitive), in registry order; raises KeyError naming
    the unknown ones."""
    if not ids:
        return list(ALL)
    wanted = [i.strip().upper() for i in ids if i.strip()]
    known = by_id()
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [spec for spec in ALL if spec.id in wanted]
