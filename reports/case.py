"""A case: one folder per incident holding everything it produced, saved as it goes.

Every write is atomic (write a temporary file in the same folder, fsync, rename), so a crash or a
closed window never leaves a half-written file and never loses what was saved before.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checks.model import Result

RESULTS_FILE = "results.json"
HISTORY_FILE = "history.json"
DETAILS_FILE = "details.json"
REMEDIATION_FILE = "remediation.json"
NOTICE_FILE = "notice.json"
CAPTURE_FILE = "capture.json"
PCAP_FILE = "capture.pcap"

# The user's details that go into the letter. Every one is optional: a missing one is shown as
# a blank to fill in, never invented.
DETAIL_FIELDS = ("name", "contract_id", "provider", "reference", "notice_date", "email", "phone")

# Remediation steps the letter can report, in the order they are most effective.
REMEDIATION_STEPS = ("disconnect", "scan", "removal", "reinstall", "updates", "password", "router")


def default_root() -> Path:
    from platformdirs import user_data_path

    return user_data_path("Clearline", appauthor=False) / "cases"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Case:
    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def write_json(self, name: str, data: Any) -> Path:
        target = self.path / name
        atomic_write_bytes(target, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
        return target

    def read_json(self, name: str, default: Any = None) -> Any:
        try:
            return json.loads((self.path / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default

    def results(self) -> list[Result]:
        from checks.model import Result

        data = self.read_json(RESULTS_FILE, {"results": []})
        return [Result.from_dict(r) for r in data.get("results", [])]

    def details(self) -> dict[str, str]:
        stored = self.read_json(DETAILS_FILE, {}) or {}
        return {k: str(stored.get(k) or "") for k in DETAIL_FIELDS}

    def set_details(self, **values: str | None) -> Path:
        details = self.details()
        details.update(
            {k: v.strip() for k, v in values.items() if k in DETAIL_FIELDS and v is not None}
        )
        return self.write_json(DETAILS_FILE, details)

    def remediation(self) -> dict[str, str]:
        """step -> ISO date it was done."""
        stored = self.read_json(REMEDIATION_FILE, {}) or {}
        return {k: v for k, v in stored.items() if k in REMEDIATION_STEPS and v}

    def mark_done(self, step: str, when: str) -> Path:
        if step not in REMEDIATION_STEPS:
            raise ValueError(f"unknown step {step!r}; known: {', '.join(REMEDIATION_STEPS)}")
        done = self.remediation()
        done[step] = when
        return self.write_json(REMEDIATION_FILE, done)

    def notice(self) -> dict | None:
        return self.read_json(NOTICE_FILE)

    def capture(self) -> dict | None:
        return self.read_json(CAPTURE_FILE)

    def history(self) -> list[Result]:
        """Every result ever added, oldest first (a later pass must not erase an earlier fail)."""
        from checks.model import Result

        data = self.read_json(HISTORY_FILE, {"results": []})
        return [Result.from_dict(r) for r in data.get("results", [])]

    def add_results(self, results: Iterable[Result]) -> Path:
        """Merge results by check ID; the newest result of a check replaces the older one. All
        of them are also appended to the history."""
        results = list(results)
        history = self.read_json(HISTORY_FILE, {"results": []})
        history["results"] += [r.to_dict() for r in results]
        self.write_json(HISTORY_FILE, history)
        merged = {r.id: r for r in self.results()}
        merged.update({r.id: r for r in results})
        return self.write_json(
            RESULTS_FILE,
            {
                "updated": datetime.now().astimezone().isoformat(),
                "results": [r.to_dict() for r in merged.values()],
            },
        )
