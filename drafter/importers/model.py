"""What an importer returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Imported:
    """Consultation fields read from a source, with where they came from.

    ``fields`` uses the consultation file's keys (``title``, ``agency``, ``kind``, ...);
    ``notes`` become comments in the written file; ``warnings`` are printed.
    """

    fields: dict
    source: str
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
