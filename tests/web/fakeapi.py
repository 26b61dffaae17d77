"""A fake Federal Register API on 127.0.0.1 (nothing in the tests reaches the internet)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeFederalRegister:
    """Serves ``documents`` (number -> JSON bytes) at ``/api/v1/documents/NUMBER.json``;
    numbers in ``slow`` answer after ``delay`` seconds; everything else is 404."""

    def __init__(self, documents: dict[str, bytes], slow=(), delay: float = 3.0):
        self.documents = documents
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server interface
                outer.requests.append(self.path)
                prefix = "/api/v1/documents/"
                number = self.path[len(prefix):-len(".json")] \
                    if self.path.startswith(prefix) and self.path.endswith(".json") else None
                if number in slow:
                    time.sleep(delay)
                body = documents.get(number)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"errors": ["not found"]}')
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
