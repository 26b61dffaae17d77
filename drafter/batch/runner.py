"""Running a batch: decide what to build, build it in worker processes, record the results.

The parent process reads the previous manifest and state, skips every job whose inputs and
outputs are unchanged, loads the library and organisation facts once, and forks workers that
inherit them (``-j N``).  Each worker drafts a job, renders all its formats in memory, and
only then writes them, each through a temporary file and a rename.  An output whose bytes no
longer match what drafter last wrote there has been edited by someone: it is kept, and the
job reported ``kept-edited``, unless ``force`` is set.  The parent writes the manifest and
state every second and at the end, and records what was built in the register.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from drafter.batch.inputs import FileHasher, inputs_digest, sha256_bytes, workspace_inputs
from drafter.batch.manifest import State, clean_temporaries, journal_read, journal_settle, \
    journal_write, read_manifest, recorded_outputs, write_manifest, manifest_path
from drafter.batch.plan import JobSpec, Plan
from drafter.errors import DrafterError, LoadError, OutputError, display_path, format_location
from drafter.output import sha256_file

FLUSH_SECONDS = 1.0


@dataclass
class Task:
    """What a worker needs for one job (sent to it pickled)."""

    job: JobSpec
    output_dir: Path
    batch_path: Path
    shared: dict
    previous: dict[str, str]        # output path -> sha256 drafter last wrote there
    force: bool = False
    journal: Path | None = None     # where each write is recorded before it happens
    written: dict[str, list[str]] = field(default_factory=dict)  # the journal's shas


@dataclass
class Outcome:
    """What a worker reports back for one job."""

    index: int
    status: str                     # built | kept-edited | failed
    template: str | None = None
    inputs_sha256: str | None = None
    outputs: list[dict] = field(default_factory=list)
    positions: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    files: list[str] = field(default_factory=list)
    hashes: dict[str, list] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    filing: dict | None = None      # consultation, title, docket: for the register


@dataclass
class Summary:
    counts: dict[str, int]
    seconds: float
    workers: int
    manifest: Path
    manifest_error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)


class Reporter:
    """Where the runner tells about progress; the CLI prints, tests may collect."""

    def start(self, total: int, to_build: int, workers: int) -> None: ...

    def job(self, entry: dict, ran: bool = False) -> None: ...

    def warning(self, message: str) -> None: ...

    def finish(self, summary: Summary) -> None: ...


# -- in the worker ---------------------------------------------------------------------------

_SESSION = None


def make_session(workspace):
    from drafter.bccache import workspace_cache
    from drafter.pipeline import Session

    return Session(workspace, bytecode_cache=workspace_cache(workspace))


def _die_with_parent() -> None:
    """On Linux, a worker is killed with its parent: a killed batch leaves nothing running."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(workspace) -> None:
    global _SESSION
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _die_with_parent()
    if _SESSION is None:  # not inherited (a start method other than fork)
        _SESSION = make_session(workspace)


def error_line(exc: DrafterError, task: Task) -> str:
    """One line: where (the input file, else the job in the batch file) and what."""
    path, line, col = exc.path, exc.line, exc.col
    if path is None:
        job = task.job
        path = task.batch_path
        line = job.template_line if exc.code == "unknown-template" else job.line
        col = None
    return f"{format_location(path, line, col)}: error: {exc.message}"


_HASHER = FileHasher()


def build(task: Task) -> Outcome:
    """Draft one job and write its outputs; never raises."""
    start = time.perf_counter()
    try:
        outcome = _build(task)
    except DrafterError as exc:
        outcome = Outcome(task.job.index, "failed", template=task.job.template,
                          error=error_line(exc, task))
    except Exception as exc:  # noqa: BLE001 - one job's bug must not stop the batch
        outcome = Outcome(task.job.index, "failed", template=task.job.template,
                          error=f"{display_path(task.batch_path)}:{task.job.line}: error: "
                                f"internal error: {type(exc).__name__}: {exc}")
    outcome.seconds = round(time.perf_counter() - start, 3)
    return outcome


def _draft_checks(draft, workspace) -> list:
    """The checks ``drafter draft`` prints (placeholders, terminology...), as warnings."""
    try:
        from drafter.check import draft_diagnostics
    except ImportError:  # pragma: no cover - drafter without the checker
        return []
    return draft_diagnostics(draft, workspace)


def _build(task: Task) -> Outcome:
    from drafter.load.consultation import load_consultation
    from drafter.output import atomic_write, check_inputs

    job = task.job
    session = _SESSION
    if not job.consultation.is_file():
        raise LoadError(f"consultation file not found: {job.consultation_label}",
                        task.batch_path, job.line, code="missing-consultation")
    cf = load_consultation(job.consultation)
    draft = session.draft(cf, template=job.template, variables=job.variables or None)
    reference = session.reference_docx(draft, job.reference_docx)
    rendered = {path: session.render(draft, fmt, reference_docx=reference)
                for path, fmt in zip(job.outputs(), job.formats)}
    composition = draft.composition

    files = [str(job.consultation.resolve())]
    files.extend(str(Path(b.path).resolve()) for b in composition.used)
    files.extend(str(Path(c.wording.path).resolve())          # the variants used
                 for c in (getattr(composition, "choices", None) or {}).values())
    if reference is not None:
        files.append(str(Path(reference).resolve()))
    template_folder = Path(composition.template.path).resolve().parent
    if template_folder != Path(session.workspace.templates).resolve():
        files.extend(str(p) for p in sorted(template_folder.glob("*.jinja")))
    files = list(dict.fromkeys(files))
    shas = {f: _HASHER.sha(f) for f in files}
    digest = inputs_digest(job.settings(), task.shared, shas)

    ws = session.workspace
    inputs = [(Path(f), "an input of this job") for f in files]
    inputs += [(task.batch_path, "the batch file"), (Path(composition.template.path),
                                                     "the template")]
    inputs += [(p, "a workspace file") for p in (ws.org_file, ws.settings_file, ws.topics_file,
                                                 ws.seeds_index, ws.root / "glossary.yaml")]
    writes, kept, outputs = [], [], []
    for rel, data in rendered.items():
        target = task.output_dir / rel
        new_sha = sha256_bytes(data)
        if target.is_dir():
            raise OutputError("a folder is in the way of this output", target)
        check_inputs(target, inputs)  # never over an input, --force or not
        current = sha256_file(target) if target.exists() else None
        recorded = task.previous.get(rel)
        if current is not None and current != new_sha and not task.force \
                and current != recorded and current not in task.written.get(rel, ()):
            kept.append(rel)
            outputs.append({"path": rel, "sha256": recorded or new_sha})
            continue
        if current != new_sha:
            writes.append((rel, target, data, new_sha))
        outputs.append({"path": rel, "sha256": new_sha})
    for rel, target, data, new_sha in writes:
        if task.journal is not None:
            journal_write(task.journal, rel, new_sha)  # recorded before it is in place
        atomic_write(target, data)

    warnings = [d.format() for d in draft.diagnostics]
    warnings.extend(d.format() for d in _draft_checks(draft, session.workspace))
    c = cf.model
    return Outcome(
        job.index, "kept-edited" if kept else "built",
        template=composition.template.name,
        inputs_sha256=digest,
        outputs=outputs,
        positions=[{"id": i, "hash": h} for i, h in composition.wordings],
        warnings=warnings,
        files=files,
        hashes={f: _HASHER.entry(f) for f in files},
        written=[o["path"] for o in outputs if o["path"] not in kept],
        kept=kept,
        filing={"consultation": str(job.consultation), "title": c.title, "docket": c.docket_text},
    )


# -- in the parent ---------------------------------------------------------------------------

def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class Runner:
    def __init__(self, plan: Plan, workspace, *, workers: int | None = None,
                 force: bool = False, fail_fast: bool = False, record: bool = True,
                 reporter: Reporter | None = None):
        self.plan = plan
        self.workspace = workspace
        self.workers = max(1, workers or default_workers())
        self.force = force
        self.fail_fast = fail_fast
        self.record = record
        self.reporter = reporter or Reporter()
        self.state = State(workspace.state_dir, plan.output_dir)
        self.old: dict[str, dict] = {}
        self.entries: dict[int, dict] = {}
        self.hasher = FileHasher()
        self._register = None
        self._register_failed = False
        self._last_flush = 0.0
        self.manifest_error: str | None = None
        self.journal: dict[str, list[str]] = {}

    # -- deciding ------------------------------------------------------------------------

    def decide(self, job: JobSpec, shared: dict) -> tuple[str, dict | None]:
        """('build', None), or ('skipped' | 'kept-edited', manifest entry)."""
        old = self.old.get(job.name)
        known = self.state.jobs.get(job.name)
        if self.force or old is None or not isinstance(known, dict) \
                or old.get("status") not in ("built", "skipped", "kept-edited") \
                or not isinstance(known.get("files"), list):
            return "build", None
        files = {str(f): self.hasher.sha(f) for f in known["files"]}
        if inputs_digest(job.settings(), shared, files) != old.get("inputs_sha256"):
            return "build", None
        previous = recorded_outputs(old)
        edited = False
        for rel in job.outputs():
            if rel not in previous:
                return "build", None
            current = sha256_file(self.plan.output_dir / rel)
            if current is None or (current != previous[rel]
                                   and current in self.journal.get(rel, ())):
                return "build", None  # missing, or written by a run the manifest missed
            edited = edited or current != previous[rel]
        status = "kept-edited" if edited else "skipped"
        entry = {**self._base_entry(job), **{k: old.get(k) for k in
                                              ("template", "inputs_sha256", "positions")},
                 "status": status,
                 "outputs": [{"path": rel, "sha256": previous[rel]} for rel in job.outputs()],
                 "warnings": list(old.get("warnings") or [])}
        return status, entry

    @staticmethod
    def _base_entry(job: JobSpec) -> dict:
        return {"name": job.name, "status": "failed", "consultation": job.consultation_label,
                "template": job.template, "inputs_sha256": None, "outputs": [],
                "positions": [], "warnings": [], "seconds": 0.0}

    def _failed_entry(self, job: JobSpec, error: str, warnings=(), seconds=0.0,
                      template=None) -> dict:
        entry = self._base_entry(job)
        old = self.old.get(job.name) if job.error is None else None
        # outputs drafter wrote earlier stay on disk: keep their hashes so edits are still seen
        entry["outputs"] = [{"path": p, "sha256": s} for p, s in recorded_outputs(old).items()]
        entry.update(template=template or job.template, warnings=list(warnings),
                     seconds=seconds, error=error)
        return entry

    def _entry(self, job: JobSpec, outcome: Outcome) -> dict:
        if outcome.status == "failed":
            return self._failed_entry(job, outcome.error or "failed", outcome.warnings,
                                      outcome.seconds, outcome.template)
        return {"name": job.name, "status": outcome.status,
                "consultation": job.consultation_label, "template": outcome.template,
                "inputs_sha256": outcome.inputs_sha256, "outputs": outcome.outputs,
                "positions": outcome.positions, "warnings": outcome.warnings,
                "seconds": outcome.seconds}

    # -- running -------------------------------------------------------------------------

    def run(self, dry_run: bool = False) -> Summary:
        started = time.perf_counter()
        if not dry_run:
            self.state.lock()
        try:
            return self._run(started, dry_run)
        finally:
            if self._register is not None:
                self._register.close()
            self.state.unlock()

    def _run(self, started: float, dry_run: bool) -> Summary:
        plan = self.plan
        warnings: list[str] = []
        self.old, problem = read_manifest(plan.output_dir)
        if problem:
            warnings.append(problem)
            self.reporter.warning(problem)
        self.state.load()
        self.journal = journal_read(self.state.journal_path)
        names = {job.name for job in plan.jobs}
        self.state.jobs = {k: v for k, v in self.state.jobs.items() if k in names}
        self.hasher = FileHasher(self.state.files, snapshot=True)
        if not dry_run:
            clean_temporaries(plan.output_dir, [o for job in plan.jobs for o in job.outputs()])
        shared = workspace_inputs(self.workspace, self.hasher)

        tasks: list[Task] = []
        for job in plan.jobs:
            if job.error:
                self.entries[job.index] = self._failed_entry(
                    job, f"{format_location(plan.path, job.line)}: error: {job.error}")
                continue
            _, entry = self.decide(job, shared)
            if entry is not None:
                entry["seconds"] = 0.0
                self.entries[job.index] = entry
            else:
                tasks.append(Task(job, plan.output_dir, plan.path, shared,
                                  recorded_outputs(self.old.get(job.name)), self.force,
                                  self.state.journal_path,
                                  {rel: self.journal[rel] for rel in job.outputs()
                                   if rel in self.journal}))
        workers = min(self.workers, len(tasks)) or 1
        self.reporter.start(len(plan.jobs), len(tasks), workers)
        for job in plan.jobs:
            if job.index in self.entries:
                self.reporter.job(self.entries[job.index])
        if dry_run:
            for task in tasks:
                self.reporter.job({**self._base_entry(task.job), "status": "to build"})
            return self._summary(started, workers, warnings, written=False)

        not_run = 0
        try:
            if tasks:
                not_run = self._build_all(tasks, workers)
        finally:
            self._flush(final=True)
        summary = self._summary(started, workers, warnings)
        if not_run:
            summary.counts["not-run"] = not_run
        return summary

    def _summary(self, started, workers, warnings, written=True) -> Summary:
        counts = {status: 0 for status in ("built", "skipped", "kept-edited", "failed")}
        for entry in self.entries.values():
            counts[entry["status"]] = counts.get(entry["status"], 0) + 1
        if not written:
            counts["to build"] = len(self.plan.jobs) - len(self.entries)
        return Summary(counts, round(time.perf_counter() - started, 3), workers,
                       manifest_path(self.plan.output_dir), self.manifest_error, warnings)

    def _prepare_parent(self):
        """Load what every job shares once, before the workers are forked."""
        global _SESSION
        from drafter.writers import get_writer

        session = make_session(self.workspace)
        session.library  # noqa: B018 - load now: a broken library stops the batch (exit 2)
        session.org  # noqa: B018
        for fmt in sorted(self.plan.formats):
            get_writer(fmt)
        if "docx" in self.plan.formats or "pdf" in self.plan.formats:
            import drafter.writers.docx.writer  # noqa: F401 - imported once, shared by workers
        _SESSION = session
        return session

    def _build_all(self, tasks: list[Task], workers: int) -> int:
        self._prepare_parent()
        by_index = {t.job.index: t for t in tasks}
        if workers <= 1:
            done = 0
            for task in tasks:
                outcome = build(task)
                done += 1
                if self._handle(task.job, outcome) and self.fail_fast:
                    break
            return len(tasks) - done
        import gc
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        gc.collect()
        gc.freeze()  # fewer copy-on-write pages in the forked workers
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                                   initializer=_init_worker, initargs=(self.workspace,))
        futures: dict = {}
        handled: set[int] = set()

        def take(future) -> bool:
            """Handle one finished job; True when the batch should stop (--fail-fast)."""
            index = futures[future]
            handled.add(index)
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                job = by_index[index].job
                outcome = Outcome(index, "failed", error=(
                    f"{format_location(self.plan.path, job.line)}: error: the worker "
                    f"process drafting this job died ({type(exc).__name__})"))
            return self._handle(by_index[index].job, outcome) and self.fail_fast

        try:
            futures = {pool.submit(build, task): task.job.index for task in tasks}
            for future in as_completed(futures):
                if not future.cancelled() and take(future):
                    break
        finally:
            # stopping (--fail-fast, Ctrl-C): jobs already running finish and are recorded
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
            for future, index in futures.items():
                if index not in handled and future.done() and not future.cancelled():
                    take(future)
        return len(tasks) - len(handled)

    def _handle(self, job: JobSpec, outcome: Outcome) -> bool:
        """Take one job's outcome; True when it failed."""
        entry = self._entry(job, outcome)
        self.entries[job.index] = entry
        if outcome.status == "failed":
            self.state.jobs.pop(job.name, None)
        else:
            self.state.jobs[job.name] = {"files": outcome.files}
            self.hasher.learn(outcome.hashes)
            self._record(job, outcome)
        self.reporter.job(entry, ran=True)
        self._flush()
        return outcome.status == "failed"

    def _record(self, job: JobSpec, outcome: Outcome) -> None:
        if not self.record or self._register_failed or not outcome.written:
            return
        try:
            if self._register is None:
                from drafter.register import Register
                self._register = Register.for_workspace(self.workspace)
            from drafter.writers import format_of_output

            shas = {o["path"]: o["sha256"] for o in outcome.outputs}
            self._register.record(
                command="batch", job=job.name, template=outcome.template,
                consultation=outcome.filing["consultation"], title=outcome.filing["title"],
                docket=outcome.filing["docket"],
                outputs=[(str(self.plan.output_dir / rel), format_of_output(rel), shas[rel])
                         for rel in outcome.written],
                blocks=[(p["id"], p["hash"]) for p in outcome.positions], commit=False)
        except Exception as exc:  # noqa: BLE001 - the register must never fail a batch
            self._register_failed = True
            self.reporter.warning(f"drafter: warning: could not record filings in the "
                                  f"register: {exc}")

    def _flush(self, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last_flush < FLUSH_SECONDS:
            return
        self._last_flush = now
        entries = []
        for job in self.plan.jobs:
            entry = self.entries.get(job.index)
            if entry is None and job.error is None:
                entry = self.old.get(job.name)  # not run yet: keep what the last run knew
            if entry is not None:
                entries.append(entry)
        try:
            write_manifest(self.plan.output_dir, entries)
            self.manifest_error = None
            if final:
                journal_settle(self.state.journal_path, self.plan.output_dir, entries)
        except DrafterError as exc:
            self.manifest_error = f"{exc.where()}: error: {exc.message}"
        try:
            self.state.save(self.hasher.remembered())
        except DrafterError:
            pass
        if self._register is not None and not self._register_failed:
            try:
                self._register.commit()
            except Exception as exc:  # noqa: BLE001
                self._register_failed = True
                self.reporter.warning(f"drafter: warning: could not record filings in the "
                                      f"register: {exc}")
