"""drafter suggest: quality on the labelled questions, and speed at 10,000 blocks.

    python bench/bench_suggest.py [--blocks 10000] [--runs 5] [--skip-scale] [--skip-quality]
                                  [--tune] [--cross-validate]

Quality (tests/data/suggest/labels.yaml, the shipped library), per split (dev: used to tune
the ranker and calibrate its confidence; test: held out) and overall, for words and topics
alone (BM25, the ranking without an embedding model) and for the hybrid ranking (BM25 +
WordLlama meaning + topics); the measures are defined in drafter.suggest.evaluate: textbook
precision@3 (hits in the top 3 / 3), hit@3, recall@5, MRR@10, the precision of confident
suggestions (those drafts use) with their count, and the confident picks given to questions that
nothing in the library answers (picks; questions that got one, of all such questions).
``--tune`` tunes both rankings on the dev half again and prints the weights chosen;
``--cross-validate`` estimates within dev what tuning gives on questions it has not seen.

Speed (bench/gen_library.py's 10,000 blocks, 16 questions: the CISA and NTIA privacy
examples as one consultation): each run is a fresh Python process that times, inside itself,
opening the index and ranking the 16 questions as `drafter suggest` does (the embedding
model's load, and the embedding of every answering block when the index is built, included):
- cold: no index (built from nothing);
- warm: index present and fresh (runs one after another, as when drafting): the questions
  were asked by an earlier run, so the index knows their words' tokens, their searches and
  what comparing their meaning with the library's gave (neither numpy nor the model loads);
- warm, new questions: the same, with what the index learnt from the questions removed first
  (their words' tokens and stems, the phrases searched, the document frequencies and the
  meaning results), as for questions never asked before: the tokenizer is built, every phrase
  searched and every question compared with the library's meaning matrix;
- one block edited: index present, one file changed since the last run;
the embedding model's load and the embedding of every answering block on their own (one
process); and the whole command line (`drafter suggest --format json`, process start included)
cold and warm.  Minimum and median over the runs are printed; the machine is shared, so the
minimum is the better estimate of the cost; CPU time (this process and its child processes:
the parsing worker of a cold run, the scanning child of a warm one, once waited for) is
printed too, as it depends less on what else runs, and the peak resident memory of the
process (and of its largest child).

Each timed run also reports its stages (they overlap: the model loads in a thread while a
child process scans the library, and a second thread searches the questions' words while the
first compares their meaning with the library's): numpy's import and the model's load, the
scan of the library (where a child process scans it, the wait for the child), parsing +
embedding + indexing the changed files, packing the vectors, reading them, searching the
questions' words, ranking (the sum over the questions); and whether the tokenizer was built.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABELS = ROOT / "tests" / "data" / "suggest" / "labels.yaml"
# Timed processes run as installed code does, from cached bytecode (an environment that asks
# Python not to write it would time the compiling of drafter's modules on every run).
RUN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
QUESTION_FILES = ("cisa-circia-rfi.yaml", "ntia-consumer-privacy-rfc.yaml")

_TIMED = r"""
import sys, time, json
sys.path.insert(0, {root!r})
from pathlib import Path
from drafter.suggest import Suggester, Index
from drafter.load.consultation import load_consultation
models = [load_consultation(Path({root!r}) / "examples" / name).model for name in {files!r}]
questions = [q.model_copy(update={{"id": str(i)}})
             for i, q in enumerate((q for m in models for q in m.questions), start=1)]
consultation = models[0].model_copy(update={{"questions": questions, "answers": {{}}}})
import resource
def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
if {forget!r}:           # questions never asked: their words, stems, searches and meaning unknown
    import sqlite3
    from drafter.suggest.text import tokens
    words = sorted({{w for q in questions for w in q.text.split()}})
    stemmed = sorted({{w for q in questions for w in tokens(q.text)}})
    conn = sqlite3.connect(Path({state!r}) / "index.sqlite")
    with conn:
        conn.executemany("DELETE FROM words WHERE word = ?", [(w,) for w in words])
        conn.executemany("DELETE FROM stems WHERE word = ?", [(w,) for w in stemmed])
        conn.execute("DELETE FROM postings")
        conn.execute("DELETE FROM terms")
        conn.execute("DELETE FROM meant")
    conn.close()
stages = {{}}
def timed(owner, name, label):
    inner = getattr(owner, name)
    def run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            stages[label] = stages.get(label, 0.0) + time.perf_counter() - started
    setattr(owner, name, run)
import drafter.suggest.index as index_module
from drafter.suggest import embed, rank
timed(embed, "_load", "model load (numpy import included)")
timed(index_module, "_scan", "scan")
timed(index_module._ScanAside, "result", "scan by a child (waited for)")
timed(index_module.Index, "_parse_and_insert", "parse, embed, insert")
timed(index_module.Index, "_pack", "pack vectors")
timed(index_module.Index, "vectors", "read vectors")
timed(rank.Ranker, "recall", "recall kept meanings")
timed(rank.Ranker, "prepare", "search (a second thread)")
timed(rank.Ranker, "rank", "rank (summed)")
c1 = cpu()
t1 = time.perf_counter()
index = Index.open(Path({state!r}), Path({positions!r}), Path({positions!r}) / "topics.yaml",
                   preload=True, asked=[q.text for q in questions])  # as Suggester.for_workspace
t2 = time.perf_counter()
Suggester(index).questions(consultation, limit=5, explain=3)   # as drafter suggest does
t3 = time.perf_counter()
c3 = cpu()
numpy_used = "numpy" in sys.modules
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"open": t2 - t1, "rank": t3 - t2, "total": t3 - t1, "cpu": c3 - c1,
                   "mode": index.stats.mode, "reparsed": index.stats.reparsed,
                   "questions": len(questions), "blocks": len(index), "stages": stages,
                   "numpy": numpy_used, "tokenizer": embed.load()._tokenizer is not None,
                   "rss_mb": own.ru_maxrss / 1024, "worker_rss_mb": kids.ru_maxrss / 1024}}))
"""


_EMBED_TIMED = r"""
import sys, time, json
sys.path.insert(0, {root!r})
from pathlib import Path
t0 = time.perf_counter()
from drafter.suggest import embed
model = embed.load()
t1 = time.perf_counter()
model.tokenizer
t_tok = time.perf_counter() - t1
from drafter.load.library import load_library
from drafter.suggest.index import indexed_text
texts = []
for block in load_library(Path({positions!r})):
    text = indexed_text(block.meta, block.body, {{}},
                        tuple(v.body for v in block.variants.values())).meaning
    if text:
        texts.append(text)
t2 = time.perf_counter()
model.embed(texts)
t3 = time.perf_counter()
print(json.dumps({{"load": t1 - t0, "tokenizer": t_tok, "blocks": len(texts), "embed": t3 - t2,
                   "words": sum(len(t.split()) for t in texts)}}))
"""


def embed_run(positions: Path) -> dict:
    code = _EMBED_TIMED.format(root=str(ROOT), positions=str(positions))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=RUN_ENV)
    return json.loads(proc.stdout)


def print_quality(title: str, suggester, items) -> None:
    from drafter.suggest.evaluate import measure

    print(title)
    print(f"  {'split':6} {'n':>3} {'P@3':>6} {'hit@3':>6} {'R@5':>6} {'MRR@10':>7} "
          f"{'conf. prec.':>13} {'no-fit conf.':>17}")
    for split in ("dev", "test", "all"):
        m = measure(suggester, [i for i in items if split == "all" or i.split == split])
        conf = f"{m['confident_precision'] or 0:.3f} ({m['confident']})"
        no_fit = (f"{m['no_fit_confident']}; "
                  f"{round(m['no_fit_share'] * m['no_fit_questions'])} of {m['no_fit_questions']}")
        print(f"  {split:6} {m['labelled']:>3} {m['precision@3']:>6.3f} {m['hit@3']:>6.3f} "
              f"{m['recall@5']:>6.3f} {m['mrr@10']:>7.3f} {conf:>13} {no_fit:>17}")


def timed_run(positions: Path, state: Path, forget: bool = False) -> dict:
    code = _TIMED.format(root=str(ROOT), files=QUESTION_FILES, state=str(state),
                         positions=str(positions), forget=forget)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=RUN_ENV)
    return json.loads(proc.stdout)


def cli_run(workspace: Path, consultation: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "drafter", "suggest", str(consultation), "-f", "json"],
                   cwd=workspace, capture_output=True, check=True, env=RUN_ENV)
    return time.perf_counter() - started


def summarize(values) -> str:
    return f"min {min(values):.3f} s, median {statistics.median(values):.3f} s"


def print_stages(runs) -> None:
    names = list(runs[0]["stages"])
    for name in names:
        values = [r["stages"].get(name, 0.0) for r in runs]
        print(f"      {name:36} {summarize(values)}")
    rss = [r["rss_mb"] for r in runs]
    worker = [r["worker_rss_mb"] for r in runs]
    print(f"      {'peak RSS':36} {max(rss):.0f} MB" + (f" (child {max(worker):.0f} MB)"
                                                        if max(worker) else "")
          + f"; tokenizer built in {sum(r['tokenizer'] for r in runs)} of {len(runs)} runs")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--tune", action="store_true",
                        help="tune the weights on the dev half again, and print them")
    parser.add_argument("--cross-validate", action="store_true",
                        help="estimate, within dev, what tuning gives on unseen questions "
                             "(3 times 4 folds)")
    args = parser.parse_args(argv)

    from drafter.load.library import load_library
    from drafter.suggest import Index, Suggester
    from drafter.suggest.evaluate import cross_validate, load_labels, tune
    from drafter.suggest.rank import HYBRID, WORDS_ONLY

    items = load_labels(LABELS, ROOT / "examples")
    library = load_library(ROOT / "positions")
    dev = [i for i in items if i.split == "dev"]
    no_fit = sum(1 for i in items if not i.relevant)
    for name, weights in () if args.skip_quality else (
            ("words and topics (BM25)", WORDS_ONLY), ("hybrid (BM25 + meaning + topics)", HYBRID)):
        shipped = Suggester(Index.from_library(library), weights)
        if args.tune:
            weights, _ = tune(shipped.ranker, dev, meaning=weights.meaning > 0)
            print(f"tuned on dev: {weights}")
            shipped.ranker.weights = weights
        print_quality(f"Quality, {name}, shipped library ({len(shipped.index)} blocks), "
                      f"{len(items)} labelled questions ({no_fit} that nothing answers):",
                      shipped, items)
        if args.cross_validate:
            m = cross_validate(shipped.ranker, dev, repeats=3, meaning=weights.meaning > 0)
            print(f"  dev, cross-validated (3 x 4 folds, pooled): hit@3 {m['hit@3']}, "
                  f"MRR@10 {m['mrr@10']}, confident precision {m['confident_precision']} "
                  f"({m['confident']}), fitting confident pick {m['confident_hit']}, no-fit "
                  f"questions with a pick {m['no_fit_share']}")
    if args.skip_scale:
        return 0

    from bench.gen_library import generate

    workspace = ROOT / "bench" / "out" / f"lib{args.blocks // 1000}k"
    positions = workspace / "positions"
    if not positions.is_dir() or len(list(positions.rglob("*.md"))) != args.blocks:
        print(f"generating {args.blocks} blocks in {workspace} ...")
        generate(workspace, args.blocks, seed=1)
    state = workspace / ".drafter"

    cold, warm, new_words, edited = [], [], [], []
    for _ in range(args.runs):
        shutil.rmtree(state, ignore_errors=True)
        cold.append(timed_run(positions, state))
    for _ in range(args.runs):
        warm.append(timed_run(positions, state))
    for _ in range(args.runs):
        new_words.append(timed_run(positions, state, forget=True))
    victim = sorted((positions / "generated").rglob("*.md"))[0]
    text = victim.read_text(encoding="utf-8")
    try:
        for n in range(args.runs):
            victim.write_text(text.rstrip("\n") + f" Edited {n}.\n", encoding="utf-8")
            edited.append(timed_run(positions, state))
    finally:
        victim.write_text(text, encoding="utf-8")
    n = cold[0]["questions"]
    print(f"\nSpeed, {cold[0]['blocks']} blocks, {n} questions, {args.runs} runs "
          f"(in-process: open the index + rank):")
    for name, runs in (("cold (index built from nothing)", cold), ("warm (index fresh)", warm),
                       ("warm, questions never asked", new_words), ("one block edited", edited)):
        print(f"  {name:34} total {summarize([r['total'] for r in runs])}"
              f"   [open {summarize([r['open'] for r in runs])}; "
              f"rank {summarize([r['rank'] for r in runs])}; "
              f"CPU {summarize([r['cpu'] for r in runs])}]")
        print_stages(runs)
    assert all(r["mode"] == "rebuilt" for r in cold)
    assert all(r["mode"] == "cached" and r["reparsed"] == 0 for r in warm + new_words)
    assert not any(r["tokenizer"] for r in warm) and all(r["tokenizer"] for r in new_words)
    # a question asked before needs neither numpy nor the model (the first warm run after a
    # cold one may: the cold run kept what it measured)
    assert not any(r["numpy"] for r in warm[1:]) and all(r["numpy"] for r in new_words)
    assert all(r["reparsed"] == 1 for r in edited)

    embedding = [embed_run(positions) for _ in range(max(2, args.runs // 2))]
    print(f"  {'embedding model load':34} {summarize([r['load'] for r in embedding])} "
          f"(numpy, the mapped token table)")
    print(f"  {'tokenizer build':34} {summarize([r['tokenizer'] for r in embedding])}")
    print(f"  {'embedding ' + str(embedding[0]['blocks']) + ' answering blocks':34} "
          f"{summarize([r['embed'] for r in embedding])} "
          f"({embedding[0]['words']} words, one process, no worker)")

    # drafter finds the workspace from the consultation file: it must sit in the big library's
    consultation = workspace / "examples" / QUESTION_FILES[0]
    consultation.parent.mkdir(exist_ok=True)
    shutil.copyfile(ROOT / "examples" / QUESTION_FILES[0], consultation)
    cli_cold, cli_warm = [], []
    for _ in range(args.runs):
        shutil.rmtree(state, ignore_errors=True)
        cli_cold.append(cli_run(workspace, consultation))
        cli_warm.append(cli_run(workspace, consultation))
    print(f"  {'CLI, 8 questions, cold':34} {summarize(cli_cold)} (process start included)")
    print(f"  {'CLI, 8 questions, warm':34} {summarize(cli_warm)}")

    return 0


if __name__ == "__main__":
    sys.exit(main())
