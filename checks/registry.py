"""The checks an audit runs, as their modules declare them (CheckSpec: how to run each), in
the catalogue's order (checks/catalogue.py: what each is)."""

from __future__ import annotations

import importlib

from checks import catalogue
from checks.model import CheckSpec


def _audit_specs() -> tuple[CheckSpec, ...]:
    specs = [
        spec
        for name in catalogue.modules(catalogue.AUDIT)
        for spec in importlib.import_module(name).SPECS
    ]
    declared = {s.id for s in specs}
    listed = set(catalogue.ids(source=catalogue.AUDIT))
    if declared != listed:  # a module's SPECS and the catalogue must name the same checks
        raise RuntimeError(f"catalogue and SPECS differ: {sorted(declared ^ listed)}")
    return tuple(sorted(specs, key=lambda s: catalogue.ORDER[s.id]))


_all: tuple[CheckSpec, ...] | None = None


def all_specs() -> tuple[CheckSpec, ...]:
    """Every audit check, in the catalogue's order (imported on first use: the catalogue is
    found by importing the check modules)."""
    global _all
    if _all is None:
        _all = _audit_specs()
    return _all


def __getattr__(name: str):
    if name == "ALL":
        return all_specs()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def by_id() -> dict[str, CheckSpec]:
    return {spec.id: spec for spec in all_specs()}


def select(ids: list[str] | None) -> list[CheckSpec]:
    """The checks named in ``ids`` (case-insensitive), in registry order; raises KeyError naming
    the unknown ones."""
    if not ids:
        return list(all_specs())
    wanted = [i.strip().upper() for i in ids if i.strip()]
    known = by_id()
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [spec for spec in all_specs() if spec.id in wanted]
