"""What the on-disk compiled-template cache (``.drafter/jinja/``) saves a cold ``drafter draft``.

    python bench/bench_jinja_cache.py [--repeat 9]

Works in bench/out/jinja/ (a copy of the workspace; git-ignored).  Each run is a new process,
as a user types it, drafting one shipped example to DOCX: once with the cache folder filled by
an earlier run, once with the folder removed before the run (every template and block compiled
again).  Runs alternate between the two so that load from other processes hits both alike.
Prints the median and minimum of each and the difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out" / "jinja"
EXAMPLES = ["ntia-botnets-comments", "eu-manifesto-2024", "cisa-circia-rfi"]


def prepare() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, WORK / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, WORK / name)


def run(example: str, keep_cache: bool) -> float:
    if not keep_cache:
        shutil.rmtree(WORK / ".drafter" / "jinja", ignore_errors=True)
    cmd = [sys.executable, "-m", "drafter", "draft", f"examples/{example}.yaml", "-o",
           str(WORK / f"{example}.docx")]
    started = time.perf_counter()
    subprocess.run(cmd, cwd=WORK, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    prepare()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "drafter")],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    for example in EXAMPLES:
        run(example, keep_cache=True)   # fills the cache
        warm, cold = [], []
        for _ in range(args.repeat):
            warm.append(run(example, keep_cache=True))
            cold.append(run(example, keep_cache=False))
            run(example, keep_cache=True)   # refill for the next warm run
        w, c = statistics.median(warm), statistics.median(cold)
        print(f"{example}: with cache {w:.3f} s median (min {min(warm):.3f}), "
              f"without {c:.3f} s median (min {min(cold):.3f}); the cache saves "
              f"{c - w:.3f} s ({(c - w) / c:.0%}) median, {min(cold) - min(warm):.3f} s min")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
