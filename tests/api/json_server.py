"""A real HTTP server in a thread for the tests of what the API fetches (a FHIR server, a CDS Client's JWK Set):
no monkeypatched client, the adapter's own httpx requests over a socket."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class JsonServer:
    """Listens on 127.0.0.1 (a free port) from creation to :meth:`close`; records each GET (path, Authorization)
    and answers the JSON ``answer(path)`` gives (200), or ``missing`` (404) when it gives None."""

    def __init__(
        self,
        answer: Callable[[str], Any],
        *,
        base_path: str = "",
        content_type: str = "application/json",
        missing: Any = None,
    ) -> None:
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append((self.path, self.headers.get("Authorization")))
                found = answer(self.path)
                payload = json.dumps(found if found is not None else missing).encode()
                self.send_response(200 if found is not None else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{base_path}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def __enter__(self) -> JsonServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
