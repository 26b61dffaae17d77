"""Reviewer workflow timings: drafter check, harvest and one preview render.

    python bench/bench_check.py [--blocks 1000]

Prints milliseconds (best of 3, in-process, after imports) for:
- ``drafter check`` of the shipped workspace, and of a generated library of N blocks
  (bench/gen_library.py; the shipped templates and examples are rendered against it);
- ``drafter harvest`` of the NTIA filing with one edited word (re-drafting included);
- one ``drafter preview`` render (what ``--watch`` does per change) and one poll of the
  watched files' modification times.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def best(func, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), result


def copy_workspace(dest: Path) -> Path:
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        shutil.copy(ROOT / name, dest / name)
    return dest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=1000)
    args = parser.parse_args(argv)

    import docx
    from docx.oxml.ns import qn

    from drafter import harvest as hv
    from drafter import preview as pv
    from drafter.check import check_workspace
    from drafter.load.workspace import discover
    from drafter.pipeline import Session

    ws = discover(start=ROOT)
    ms, result = best(lambda: check_workspace(ws))
    print(f"check, shipped workspace ({result.files} files): {ms:.0f} ms "
          f"({len(result.errors)} errors, {len(result.warnings)} warnings)")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        from gen_library import generate
        lib = generate(tmp / "lib", args.blocks, 1)
        for name in ("examples", "seeds"):
            if not (lib / name).exists():
                shutil.copytree(ROOT / name, lib / name)
        for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
            shutil.copy(ROOT / name, lib / name)
        big = discover(start=lib)
        ms, result = best(lambda: check_workspace(big), runs=1)
        print(f"check, generated library of {args.blocks} blocks + shipped ones "
              f"({result.files} files): {ms:.0f} ms")

        work = copy_workspace(tmp / "ws")
        wsp = discover(start=work)
        session = Session(wsp)
        filing = work / "filing.docx"
        draft = session.draft(work / "examples" / "ntia-botnets-comments.yaml")
        filing.write_bytes(session.render(draft, "docx"))
        d = docx.Document(str(filing))
        for t in d.element.body.iter(qn("w:t")):
            if "thankful" in (t.text or ""):
                t.text = t.text.replace("thankful", "grateful")
        d.save(str(filing))
        ms, result = best(lambda: hv.harvest(Session(wsp), filing))
        print(f"harvest, NTIA filing (12 blocks, 1 edited): {ms:.0f} ms "
              f"({result.summary()})")
        ms, _ = best(lambda: hv.rewrites(Session(wsp), result))
        print(f"harvest --apply merge of the edited block: {ms:.0f} ms")

        out = tmp / "preview.html"
        consultation = work / "examples" / "ntia-botnets-comments.yaml"
        ms, _ = best(lambda: pv.build(lambda: Session(wsp), wsp, consultation, out,
                                      refresh=True))
        print(f"preview render (NTIA, HTML + draft checks): {ms:.0f} ms")
        files = pv.watched_files(wsp, consultation)
        ms, _ = best(lambda: pv.snapshot(pv.watched_files(wsp, consultation)), runs=5)
        print(f"watch poll ({len(files)} files): {ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
