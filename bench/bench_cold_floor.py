"""What a suggestion index built from nothing cannot avoid: the CPU time of each stage alone.

    python bench/bench_cold_floor.py [--blocks 10000] [--runs 3]

On bench/gen_library.py's library (the one bench_suggest.py times), each stage a build from
nothing must do is timed on its own, in one fresh process, one thread, on data prepared before
the clock starts (CPU seconds, ``time.process_time``; the minimum over the runs):

- read: the bytes of every block file and variant file;
- front matter: decoding, finding and parsing every file's YAML front matter (yaml-rs);
- validate: checking every block's fields against the schema (pydantic), as ``drafter draft``
  does, so that a bad block is reported at its line;
- index text: what of each block is searched and embedded (``indexed_text``);
- full text: inserting every block's five columns into a new FTS5 table, with the index's
  tokenizer and build settings, in one transaction (SQLite has one writer per file: this stage
  runs on one core whatever the others do);
- model: loading the embedding model and building its tokenizer;
- tokenize: the token ids of every distinct word of the texts embedded (each once);
- embed: the vectors of every text embedded, every word's tokens known (splitting the texts
  into words, looking their tokens up, summing the token vectors, scaling to unit length).

None of these stages' work is repeated or wasted in a real build; a real build adds what
carries the results between its two processes and what it writes besides full text. The sum
over the stages, shared perfectly between the machine's cores (and never below the full-text
stage, which one core does), is the shortest a build from nothing could take here with this
design: the floor the cold target of issue 10 is measured against.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

STAGES = ("read", "front matter", "validate", "index text", "full text", "model", "tokenize",
          "embed")

_TIMED = r"""
import gc, json, os, sqlite3, sys, tempfile, time
sys.path.insert(0, {root!r})
gc.disable()
from pathlib import Path
from drafter.load import frontmatter
from drafter.load.library import load_topics
from drafter.load.models import PositionMeta
from drafter.suggest import embed, index as ix
import yaml_rs

root = {positions!r}
blocks, variants = ix._scan(root)
topics = ix._vocabulary(load_topics(Path(root) / "topics.yaml"))
topic_texts = {{tid: ix.topic_text((tid,), topics) for tid in topics}}
cpu = time.process_time
out = {{}}

start = cpu()
data = [ix._read(root + "/" + rel) for rel in sorted(blocks)]
variant_data = [ix._read(root + "/" + rel) for rel in sorted(variants)]
out["read"] = cpu() - start

start = cpu()
fields, bodies = [], []
for item in data:
    text = item.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    parts = frontmatter.locate(text)
    fields.append(yaml_rs.loads(parts[0]))
    bodies.append(parts[1].strip("\n") + "\n")
out["front matter"] = cpu() - start

start = cpu()
metas = [PositionMeta.model_validate(f) for f in fields]
out["validate"] = cpu() - start

wordings = {{}}     # block file -> its variants' bodies, in VARIANTS order
for rel, item in sorted(zip(sorted(variants), variant_data),
                        key=lambda pair: ix.VARIANTS.index(ix._variant_owner(pair[0])[1])):
    wordings.setdefault(ix._variant_owner(rel)[0], []).append(ix._variant_fast(rel, item))
start = cpu()
texts = [ix.indexed_text(m, b, topic_texts, tuple(wordings.get(rel, ())))
         for rel, m, b in zip(sorted(blocks), metas, bodies)]
out["index text"] = cpu() - start

fd, path = tempfile.mkstemp(suffix=".sqlite")
os.close(fd)
conn = sqlite3.connect(path)
for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -65536",
               "temp_store = MEMORY"):
    conn.execute("PRAGMA " + pragma)
conn.executescript(ix._SCHEMA)
conn.execute("INSERT INTO fts(fts, rank) VALUES ('automerge', 8)")
conn.execute("INSERT INTO fts(fts, rank) VALUES ('hashsize', 16777216)")
rows = [(n, *t.columns) for n, t in enumerate(texts, start=1)]
start = cpu()
with conn:
    conn.executemany(ix._INSERT_TEXT, rows)
out["full text"] = cpu() - start
conn.close()
os.unlink(path)

start = cpu()
model = embed.load()
model.tokenizer
out["model"] = cpu() - start

meanings = [m for t in texts for m in t.meanings]
words = sorted({{w for m in meanings for w in m.split()}})
start = cpu()
tokens = model.tokens(words)
out["tokenize"] = cpu() - start
model.teach(dict(zip(words, tokens)))

start = cpu()
model.embed(meanings)
out["embed"] = cpu() - start
out["files"] = len(data) + len(variant_data)
out["texts"] = len(meanings)
out["words"] = sum(len(m.split()) for m in meanings)
out["distinct"] = len(words)
print(json.dumps(out))
"""


def run(positions: Path) -> dict:
    code = _TIMED.format(root=str(ROOT), positions=str(positions))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=RUN_ENV)
    return json.loads(proc.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from bench.gen_library import generate

    workspace = ROOT / "bench" / "out" / f"lib{args.blocks // 1000}k"
    positions = workspace / "positions"
    if not positions.is_dir() or len(list(positions.rglob("*.md"))) != args.blocks:
        print(f"generating {args.blocks} blocks in {workspace} ...")
        generate(workspace, args.blocks, seed=1)
    runs = [run(positions) for _ in range(args.runs)]
    first = runs[0]
    print(f"A build from nothing, stage by stage: {first['files']} files, {first['texts']} texts "
          f"embedded ({first['words']} words, {first['distinct']} distinct), CPU seconds, "
          f"min of {args.runs} fresh processes:")
    best = {name: min(r[name] for r in runs) for name in STAGES}
    for name in STAGES:
        print(f"  {name:14} {best[name]:6.3f} s")
    total = sum(best.values())
    cores = os.cpu_count() or 1
    floor = max(total / cores, best["full text"])
    print(f"  {'sum':14} {total:6.3f} s")
    print(f"  shortest build on {cores} cores, shared perfectly: {floor:.3f} s "
          f"(not counting ranking, the process start, or moving results between processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
