"""A case: one folder per incident holding everything it produced, saved as it goes.

Every write is atomic (write a temporary file in the same folder, fsync, rename), so a crash or a
closed window never leaves a half-written file and never loses what was saved before.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from checks.model import Result

RESULTS_FILE = "results.json"


def default_root() -> Path:
    from platformdirs import user_data_path

    return user_data_path("Clearline", appauthor=False) / "cases"


def atomic_write_bytes(path: Path, data: bytes) -> None:
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
        data = self.read_json(RESULTS_FILE, {"results": []})
        return [Result.from_dict(r) for r in data.get("results", [])]

    def add_results(self, results: Iterable[Result]) -> Path:
        """Merge results by check ID; the newest result of a check replaces the older one."""
        merged = {r.id: r for r in self.results()}
        merged.update({r.id: r for r in results})
        return self.write_json(
            RESULTS_FILE,
            {
                "updated": datetime.now().astimezone().isoformat(),
                "results": [r.to_dict() for r in merged.values()],
            },
        )
