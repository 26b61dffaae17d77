"""Update fields and indexes in .docx files through LibreOffice, and export them.

This script runs under LibreOffice's own Python (Debian: /usr/bin/python3 with the
python3-uno package), not inside drafter's virtual environment, so it imports nothing from
drafter.  :mod:`drafter.writers.pdf` starts it as::

    /usr/bin/python3 lo_update.py JOB.json RESULT.json

JOB.json: ``{"soffice": PATH, "profile": FILE_URL, "timeout": SECONDS,
"items": [{"input": PATH, "pdf": PATH or null}]}``.  For every item the script loads the
document hidden, updates every index (twice, so page numbers account for the filled table of
contents), refreshes the text fields, reads each table of contents' lines, and exports a PDF
when asked.  RESULT.json: ``{"items": [{"toc": [LINE...]}], "error": null}``; a failure is
reported as ``"error": MESSAGE`` and exit code 1.
"""

import json
import os
import subprocess
import sys
import time


def main(job_path, result_path):
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    try:
        import uno  # noqa: F401 - fails outside LibreOffice's Python
    except ImportError:
        _write(result_path, {"items": [], "error": "this Python cannot import uno"})
        return 3
    office = None
    try:
        office = _Office(job["soffice"], job["profile"], float(job.get("timeout", 120)))
        items = [office.process(item) for item in job["items"]]
        _write(result_path, {"items": items, "error": None})
        return 0
    except Exception as exc:  # noqa: BLE001 - everything is reported to the caller
        _write(result_path, {"items": [], "error": "%s: %s" % (type(exc).__name__, exc)})
        return 1
    finally:
        if office is not None:
            office.close()


def _write(path, data):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def _prop(name, value):
    from com.sun.star.beans import PropertyValue

    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


class _Office:
    def __init__(self, soffice, profile, timeout):
        import uno
        from com.sun.star.connection import NoConnectException

        pipe = "drafter_%d_%d" % (os.getpid(), int(time.time() * 1000) % 100000)
        self.proc = subprocess.Popen(
            [soffice, "-env:UserInstallation=" + profile, "--headless", "--invisible",
             "--norestore", "--nologo", "--nodefault", "--nolockcheck",
             "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.desktop = None
        try:
            local = uno.getComponentContext()
            resolver = local.ServiceManager.createInstanceWithContext(
                "com.sun.star.bridge.UnoUrlResolver", local)
            deadline = time.time() + timeout
            while True:
                try:
                    ctx = resolver.resolve(
                        "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                    break
                except NoConnectException:
                    if self.proc.poll() is not None:
                        raise RuntimeError("LibreOffice exited (code %s) before accepting a "
                                           "connection" % self.proc.returncode)
                    if time.time() > deadline:
                        raise RuntimeError("LibreOffice did not start in %d s" % timeout)
                    time.sleep(0.05)
            self.desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx)
        except BaseException:
            self.close()
            raise

    def process(self, item):
        import uno

        url = uno.systemPathToFileUrl(os.path.abspath(item["input"]))
        doc = self.desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))
        if doc is None:
            raise RuntimeError("LibreOffice could not open %s" % item["input"])
        try:
            indexes = doc.getDocumentIndexes()
            for _ in range(2):
                for i in range(indexes.getCount()):
                    indexes.getByIndex(i).update()
                doc.getTextFields().refresh()
                doc.refresh()
            toc = []
            for i in range(indexes.getCount()):
                index = indexes.getByIndex(i)
                if index.supportsService("com.sun.star.text.ContentIndex"):
                    text = index.getAnchor().getString()
                    toc.extend(line for line in text.split("\n") if line.strip())
            if item.get("pdf"):
                pdf_url = uno.systemPathToFileUrl(os.path.abspath(item["pdf"]))
                doc.storeToURL(pdf_url, (_prop("FilterName", "writer_pdf_Export"),))
            return {"toc": toc}
        finally:
            doc.close(True)

    def close(self):
        if self.desktop is not None:
            try:
                self.desktop.terminate()
            except Exception:  # noqa: BLE001 - the connection drops as LibreOffice exits
                pass
            self.desktop = None
            try:
                self.proc.wait(timeout=15)
                return
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write("usage: lo_update.py JOB.json RESULT.json\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
