"""The web workspace's speed: a resident server (library, templates and suggestion index warm).

Over a copy of the workspace in a temporary folder, ``drafter serve``'s app runs under uvicorn
on 127.0.0.1; real HTTP requests (urllib) measure, on the CISA example:

- preview after an answer changes: POST a new answer (saved to the YAML file, atomically), then
  GET the HTML preview; the preview's time and the save + preview total;
- a DOCX download (GET, the whole draft and DOCX each time);

beside pandoc's whole-process time on the same Markdown (the composed filing) to HTML and to
DOCX.  Medians of N runs (default 30) after 3 warm-up runs.

    .venv/bin/python bench/bench_web.py [-n 30]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = "examples/cisa-circia-rfi.yaml"


def copy_workspace(dest: Path) -> Path:
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    return dest


def serve(root: Path):
    import uvicorn

    from drafter.load.workspace import discover
    from drafter.web.app import create_app
    from drafter.web.state import WebSettings

    app = create_app(WebSettings(discover(start=root), secret_key="bench"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{port}"


def median_ms(samples) -> float:
    return statistics.median(samples) * 1000


def main(argv) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args(argv)
    pandoc = shutil.which("pandoc")

    with tempfile.TemporaryDirectory(prefix="drafter-bench-web-") as folder:
        root = copy_workspace(Path(folder))
        server, thread, base = serve(root)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        poster = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                             NoRedirect())
        page_url = f"{base}/c/{EXAMPLE}"

        def get(url) -> bytes:
            with opener.open(url) as response:
                return response.read()

        def form():
            html = get(page_url).decode()
            section = html.split('class="question', 1)[1]
            return {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),
                    "qid": re.search(r'name="qid" value="([^"]+)"', section).group(1),
                    "token": re.search(r'name="token" value="([^"]+)"', section).group(1)}

        saves, previews, totals, downloads, pages = [], [], [], [], []
        fields = form()
        for i in range(args.n + 3):
            data = urllib.parse.urlencode({**fields, "action": "save",
                                           "text": f"Answer revision {i}."}).encode()
            start = time.perf_counter()
            try:
                poster.open(urllib.request.Request(f"{page_url}/answer", data=data)).read()
            except urllib.error.HTTPError as exc:       # 303 to the page: not followed
                assert exc.code == 303, exc.code
            saved = time.perf_counter()
            body = get(f"{page_url}/preview")
            done = time.perf_counter()
            assert f"Answer revision {i}.".encode() in body
            before_page = time.perf_counter()
            fields = form()
            if i >= 3:
                pages.append(time.perf_counter() - before_page)
                saves.append(saved - start)
                previews.append(done - saved)
                totals.append(done - start)
        for i in range(args.n + 3):
            start = time.perf_counter()
            data = get(f"{page_url}/download/docx")
            if i >= 3:
                downloads.append(time.perf_counter() - start)
        assert data.startswith(b"PK")

        from drafter.load.workspace import discover
        from drafter.pipeline import Session
        markdown = Session(discover(start=root)).draft(root / EXAMPLE).composition.markdown
        server.should_exit = True
        thread.join(10)

        pandoc_html = pandoc_docx = None
        if pandoc:
            source = Path(folder) / "filing.md"
            source.write_text(markdown, encoding="utf-8")
            times = {"html": [], "docx": []}
            for i in range(max(10, args.n // 2) + 2):
                for fmt in ("html", "docx"):
                    start = time.perf_counter()
                    subprocess.run([pandoc, str(source), "-s", "-f", "markdown", "-t", fmt,
                                    "-o", str(Path(folder) / f"out.{fmt}"),
                                    "--metadata", "title=x"], check=True)
                    if i >= 2:
                        times[fmt].append(time.perf_counter() - start)
            pandoc_html, pandoc_docx = median_ms(times["html"]), median_ms(times["docx"])

    rows = [("preview after an answer change (GET preview)", median_ms(previews), 100,
             pandoc_html),
            ("save answer (POST: YAML written, git off)", median_ms(saves), None, None),
            ("save + preview", median_ms(totals), None, pandoc_html),
            ("whole consultation page (GET)", median_ms(pages), None, None),
            ("DOCX download (GET)", median_ms(downloads), 150, pandoc_docx)]
    print(f"{EXAMPLE}, resident server, medians of {args.n} runs")
    print(f"{'measure':<46} {'ms':>7} {'target':>7} {'pandoc ms':>10} {'vs pandoc':>10}")
    for name, ms, target, ref in rows:
        ratio = f"{ref / ms:.1f}x" if ref else "-"
        print(f"{name:<46} {ms:>7.1f} {target or '-':>7} "
              f"{(f'{ref:.1f}' if ref else '-'):>10} {ratio:>10}")
    if not pandoc:
        print("pandoc not installed: no comparison")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
