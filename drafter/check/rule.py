"""What a lint rule is, and how it reports.

A rule has a code (``unknown-topic``), a default severity and a one-line summary, and one or
two functions: ``check(ctx, report)`` looks at the workspace (a
:class:`~drafter.check.context.CheckContext`), ``check_draft(draft, report)`` at one composed
filing (a :class:`~drafter.check.drafts.DraftContext`).  ``drafter draft`` runs only the
draft functions; ``drafter check`` runs both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from drafter.errors import Diagnostic


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # "error" | "warning"
    summary: str
    check: Optional[Callable] = None
    check_draft: Optional[Callable] = None


@dataclass(frozen=True)
class Finding:
    """A diagnostic and the file whose check produced it (a draft's consultation, say)."""

    diagnostic: Diagnostic
    subject: Optional[str]


class Report:
    """Collects one rule's findings: ``report(message, path, line, col)``."""

    def __init__(self, rule: Rule, sink: list[Finding], subject: Path | None = None):
        self.rule = rule
        self.sink = sink
        self.subject = str(subject) if subject is not None else None

    def __call__(self, message: str, path=None, line: int | None = None,
                 col: int | None = None, severity: str | None = None) -> None:
        message = " ".join(str(message).split())  # one line, whatever the source said
        diag = Diagnostic(severity or self.rule.severity, message,
                          str(path) if path is not None else None, line, col, self.rule.code)
        self.sink.append(Finding(diag, self.subject))

    def error(self, exc, severity: str | None = None) -> None:
        """Report a DrafterError at its own position."""
        self(exc.message, exc.path, exc.line, exc.col, severity)
