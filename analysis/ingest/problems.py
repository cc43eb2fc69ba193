"""The problems met while reading a corpus: every file or row skipped or kept with a caveat."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

__all__ = ["Problems"]

log = logging.getLogger("analysis.ingest")


@dataclass
class Problems:
    """Rows of the ``skipped`` table, logged as they come unless ``quiet``."""

    rows: list[dict] = field(default_factory=list)
    quiet: bool = False  # collect only (a worker's problems are reported where they are gathered)

    def add(self, path: str, line: int | None, reason: str, action: str = "skipped") -> None:
        self.extend([{"path": path, "line": line, "reason": reason, "action": action}])

    def extend(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        if not self.quiet:
            for row in rows:
                log.warning("%s%s: %s (%s)", row["path"], f":{row['line']}" if row["line"] else "", row["reason"],
                            row["action"])
