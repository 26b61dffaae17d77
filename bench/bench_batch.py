"""Batch generation against a loop of pandoc, a cold ``drafter draft`` against a cold pandoc,
a no-op re-run, and peak memory.

    python bench/bench_batch.py [--sizes 60,300] [--jobs N] [--repeat 3] [--single 10]
                                [--single-only]

Works in bench/out/batch/ (a copy of the workspace; git-ignored).  The N filings are N distinct
consultation files made from the shipped examples (the four examples in turn, each with its
own title).  The pandoc loop converts the very Markdown drafter composes for each filing
(``drafter batch`` with ``formats: [md]``, not timed) with one ``pandoc X.md -o X.docx`` per
filing, one after another, as a shell loop would; drafter runs ``drafter batch`` with a fresh
output folder, as a new process, on all cores (or ``--jobs``).  Memory is the peak resident
set of the largest process (the batch's parent or one of its workers: ``ru_maxrss`` of the
children of a wrapper process).  Targets: batch >= 4x faster than the pandoc loop; a cold
``drafter draft`` <= 2.5x a cold pandoc; a no-op re-run <= 5% of the full run; <= 200 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out" / "batch"
EXAMPLES = ["ntia-botnets-comments", "eu-manifesto-2024", "ntia-international-internet-policy",
            "ec-encryption-call-for-evidence"]
PY = sys.executable

MEASURE = """
import resource, subprocess, sys, time, json
t = time.perf_counter()
proc = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "code": proc.returncode,
                  "err": proc.stderr.decode()[-2000:]}))
"""


def measure(cmd: list[str], cwd: Path = WORK) -> dict:
    """Wall time and the largest process's peak RSS of a command and its children."""
    out = subprocess.run([PY, "-c", MEASURE, str(cwd), *cmd], capture_output=True, text=True,
                         check=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"failed ({result['code']}): {' '.join(cmd)}\n{result['err']}")
    return result


def drafter(*args) -> list[str]:
    return [PY, "-m", "drafter", *map(str, args)]


def setup() -> None:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    for name in ("positions", "templates", "seeds"):
        shutil.copytree(ROOT / name, WORK / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, WORK / name)
    (WORK / "consultations").mkdir()


def make_consultations(n: int) -> list[str]:
    names = []
    for i in range(n):
        example = EXAMPLES[i % len(EXAMPLES)]
        name = f"c{i:04d}-{example}"
        path = WORK / "consultations" / f"{name}.yaml"
        if not path.exists():
            text = (ROOT / "examples" / f"{example}.yaml").read_text()
            text = re.sub(r"^title: (.*)$", rf"title: \1 (filing {i + 1})", text, count=1,
                          flags=re.M)
            path.write_text(text)
        names.append(name)
    return names


def write_batch(path: Path, names: list[str], out: str, formats: list[str]) -> None:
    lines = [f"output_dir: {out}", f"defaults: {{formats: [{', '.join(formats)}]}}", "jobs:"]
    for name in names:
        lines.append(f"  - {{consultation: consultations/{name}.yaml, name: {name}}}")
    path.write_text("\n".join(lines) + "\n")


def reset_outputs(out: str) -> None:
    shutil.rmtree(WORK / out, ignore_errors=True)
    shutil.rmtree(WORK / ".drafter" / "batch", ignore_errors=True)


def pandoc_loop(md_dir: Path, names: list[str]) -> float:
    target = WORK / "pandoc-out"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    start = time.perf_counter()
    for name in names:
        subprocess.run(["pandoc", str(md_dir / f"{name}.md"), "-o", str(target / f"{name}.docx")],
                       check=True)
    return time.perf_counter() - start


def median_of(cmd, repeat, cwd=WORK) -> tuple[float, list[float]]:
    times = [measure(cmd, cwd)["seconds"] for _ in range(repeat)]
    return statistics.median(times), times


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="60,300")
    parser.add_argument("--jobs", type=int, default=None, help="drafter batch -j (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each batch (median)")
    parser.add_argument("--single", type=int, default=10, help="runs of the single-draft test")
    parser.add_argument("--single-only", action="store_true",
                        help="only the single cold draft and command start-up (no batches)")
    args = parser.parse_args()
    sizes = [] if args.single_only else [int(s) for s in args.sizes.split(",")]
    have_pandoc = shutil.which("pandoc") is not None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    jobs_flag = ["-j", str(args.jobs)] if args.jobs else []

    setup()
    print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.2f} at the start "
          f"(other work on the machine slows every figure), Python {sys.version.split()[0]}, "
          + (subprocess.run(["pandoc", "--version"], capture_output=True, text=True)
             .stdout.splitlines()[0] if have_pandoc else "no pandoc"))
    results = {}

    for n in sizes:
        names = make_consultations(n)
        write_batch(WORK / f"md-{n}.yaml", names, f"md-{n}", ["md"])
        measure(drafter("batch", f"md-{n}.yaml"))  # the composed Markdown, for pandoc
        write_batch(WORK / f"batch-{n}.yaml", names, f"out-{n}", ["docx"])
        runs = []
        for r in range(args.repeat):
            reset_outputs(f"out-{n}")
            if r == 0:
                shutil.rmtree(WORK / ".drafter" / "jinja", ignore_errors=True)
            runs.append(measure(drafter("batch", f"batch-{n}.yaml", *jobs_flag)))
        full = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_kib"] for r in runs) / 1024
        noop = [measure(drafter("batch", f"batch-{n}.yaml", *jobs_flag)) for _ in range(3)]
        noop_s = statistics.median(r["seconds"] for r in noop)
        manifest = json.loads((WORK / f"out-{n}" / "manifest.json").read_text())
        assert {j["status"] for j in manifest["jobs"]} == {"skipped"}, "no-op run built jobs"
        loop = pandoc_loop(WORK / f"md-{n}", names) if have_pandoc else None
        results[n] = dict(full=full, runs=[r["seconds"] for r in runs], peak=peak,
                          noop=noop_s, loop=loop)
        best = min(results[n]["runs"])
        print(f"\n{n} filings (DOCX):")
        print(f"  drafter batch      {full:7.2f} s median, {best:.2f} s best  (runs: "
              f"{', '.join(f'{r:.2f}' for r in results[n]['runs'])}; the first with an empty "
              f"template cache)  {n / full:6.1f} filings/s")
        if loop is not None:
            print(f"  pandoc loop        {loop:7.2f} s  {n / loop:6.1f} filings/s")
            print(f"  speed-up           {loop / full:7.2f}x median, {loop / best:.2f}x best  "
                  f"(target >= 4x: {verdict(loop / full >= 4)})")
        print(f"  no-op re-run       {noop_s:7.3f} s  = {100 * noop_s / full:.1f}% of the full "
              f"run  (target <= 5%: {verdict(noop_s <= 0.05 * full)})")
        print(f"  peak memory        {peak:7.1f} MiB in the largest process  (target <= 200: "
              f"{verdict(peak <= 200)})")

    single_draft(args.single, have_pandoc, md=WORK / f"md-{sizes[0]}" if sizes else None)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


def single_draft(repeat: int, have_pandoc: bool, md: Path | None = None) -> None:
    """A single cold draft (a new process each time, as a user types it) against pandoc, and
    the start-up of two light commands."""
    sample = WORK / "consultations" / f"c0000-{EXAMPLES[0]}.yaml"
    if md is None:
        make_consultations(1)
        measure(drafter("draft", sample, "-o", WORK / "single.md"))
        md = WORK / "single.md"
    else:
        md = md / f"c0000-{EXAMPLES[0]}.md"
    # drafter's own modules byte-compiled, as pip does for an installed package (a checkout
    # run with PYTHONDONTWRITEBYTECODE would otherwise recompile them on every run)
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "drafter")], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(WORK / ".drafter" / "jinja", ignore_errors=True)
    first = measure(drafter("draft", sample, "-o", WORK / "single.docx"))["seconds"]
    d_med, d_all = median_of(drafter("draft", sample, "-o", WORK / "single.docx"), repeat)
    print(f"\nsingle filing ({sample.name}), new process each run, {repeat} runs:")
    print(f"  drafter draft      {d_med:7.3f} s median, min {min(d_all):.3f} s  (first run, "
          f"empty template cache: {first:.3f} s)")
    if have_pandoc:
        p_med, p_all = median_of(["pandoc", str(md), "-o", str(WORK / "single-pandoc.docx")],
                                 repeat)
        print(f"  pandoc             {p_med:7.3f} s median, min {min(p_all):.3f} s")
        print(f"  ratio              {d_med / p_med:7.2f}x median, {min(d_all) / min(p_all):.2f}x "
              f"min  (target <= 2.5x: {verdict(d_med / p_med <= 2.5)})")
    bare = median_of([PY, "-c", "pass"], repeat)[0]
    imports = median_of([PY, "-c", "import drafter.pipeline, drafter.cli, "
                                   "drafter.writers.docx.writer"], repeat)[0]
    print(f"  of which: Python start-up {bare:.3f} s; importing drafter's modules and "
          f"libraries {imports - bare:.3f} s")
    for label, cmd in (("drafter positions list", drafter("positions", "list")),
                       ("drafter --help", drafter("--help"))):
        med, runs = median_of(cmd, repeat)
        print(f"  {label:22} {med:.3f} s median, min {min(runs):.3f} s")


if __name__ == "__main__":
    main()
