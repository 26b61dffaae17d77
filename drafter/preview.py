"""Live HTML preview: render a consultation to HTML, and again whenever an input changes.

The watch loop polls modification times (``os.stat``) of everything a draft depends on: the
consultation, the templates, the position blocks and topic vocabulary, the organisation facts,
the workspace settings and the glossary.  Polling needs no dependency, works on every file
system (network drives and containers included) and costs a few milliseconds per cycle for a
library of hundreds of blocks.  A render that fails prints its one-line error and keeps the
last good preview; the loop goes on.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from drafter.errors import DrafterError, display_path

REFRESH_SECONDS = 2
_REFRESH = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">\n'


@dataclass
class Outcome:
    ok: bool
    lines: list[str] = field(default_factory=list)


def watched_files(workspace, consultation: Path) -> list[Path]:
    """Every file a preview of ``consultation`` depends on, in a stable order."""
    files = [Path(consultation), workspace.org_file, workspace.settings_file,
             workspace.root / "glossary.yaml"]
    try:
        from drafter.check.glossary import glossary_path
        from drafter.load.workspace import load_settings
        configured = glossary_path(workspace, load_settings(workspace).check)
        if configured is not None:
            files.append(configured)
    except DrafterError:
        pass
    for folder in (workspace.templates, workspace.positions):
        if folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*") if p.is_file()
                                and not any(part.startswith(".") for part in
                                            p.relative_to(folder).parts)))
    out, seen = [], set()
    for path in files:
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


def snapshot(paths) -> dict[str, tuple[int, int]]:
    """Modification time and size of each file that exists (a deleted file drops out)."""
    state = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        state[str(path)] = (st.st_mtime_ns, st.st_size)
    return state


def build(make_session, workspace, consultation: Path, output: Path,
          refresh: bool = False, force: bool = False) -> list[str]:
    """Draft and write the HTML preview; returns the lines to print (warnings, "wrote ...").

    Raises DrafterError when the draft cannot be made, or when ``output`` is an input of the
    draft or a file drafter did not write (or one edited since) and not ``force``; nothing is
    written then.
    """
    from drafter.check import draft_diagnostics, filing_warnings
    from drafter.output import check_inputs, draft_inputs, write_output

    started = time.perf_counter()
    session = make_session()
    draft = session.draft(consultation)
    html = session.render(draft, "html")
    warnings = list(draft.diagnostics) + filing_warnings(draft_diagnostics(draft, workspace),
                                                         workspace)
    if refresh:
        html = html.replace(b"<head>\n", b"<head>\n" + _REFRESH.encode(), 1)
    check_inputs(output, [(consultation, "the consultation")])
    write_output(output, html, workspace=workspace, force=force, command="preview",
                 inputs=draft_inputs(session, draft))
    ms = (time.perf_counter() - started) * 1000
    lines = [w.format() for w in warnings]
    lines.append(f"wrote {display_path(output)} ({len(draft.composition.used)} positions, "
                 f"{len(warnings)} warning{'' if len(warnings) == 1 else 's'}, {ms:.0f} ms)")
    return lines


def render_once(make_session, workspace, consultation: Path, output: Path,
                refresh: bool = False, force: bool = False) -> Outcome:
    """:func:`build`, with every failure turned into a printed line instead of an exception."""
    try:
        return Outcome(True, build(make_session, workspace, consultation, output, refresh,
                                   force))
    except DrafterError as exc:
        where = exc.where()
        return Outcome(False, [f"{where}: error: {exc.message}" if where
                               else f"drafter: error: {exc.message}"])
    except Exception as exc:  # noqa: BLE001 - a watch loop must survive any failure
        return Outcome(False, [f"drafter: internal error: {type(exc).__name__}: {exc}"])


def watch(make_session, workspace, consultation: Path, output: Path, interval: float = 0.5,
          max_cycles: int | None = None, echo: Callable[[str], None] = print,
          sleep: Callable[[float], None] = time.sleep, force: bool = False) -> int:
    """Render now, then after every change; returns the number of renders.

    ``max_cycles`` bounds the number of polls (tests); ``None`` runs until interrupted.
    """
    last: dict | None = None
    renders = 0
    cycle = 0
    while max_cycles is None or cycle < max_cycles:
        cycle += 1
        state = snapshot(watched_files(workspace, consultation))
        if state != last:
            if last is not None:
                changed = sorted(set(state.items()) ^ set(last.items()))
                names = sorted({Path(p).name for p, _ in changed})
                echo(f"[{dt.datetime.now():%H:%M:%S}] changed: {', '.join(names[:5])}"
                     + (" ..." if len(names) > 5 else ""))
            last = state  # taken before rendering: a save during the render is seen next cycle
            outcome = render_once(make_session, workspace, consultation, output, refresh=True,
                                  force=force)
            renders += 1
            for line in outcome.lines:
                echo(line)
        if max_cycles is None or cycle < max_cycles:
            sleep(interval)
    return renders
