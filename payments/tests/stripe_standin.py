"""A stand-in for Stripe's rate limits: a proxy in front of localstripe that answers 429,
as Stripe does, beyond `account` requests in any second over every endpoint and beyond
`endpoint` requests in any second on one endpoint (a method and a path, ids left out).

It records every request it receives (time, endpoint, status), so that a test can read
how many calls per second Marquee really sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_ID = re.compile(r"/(cus|pi|seti|pm|re|ch|evt|we)_[A-Za-z0-9]+")
RATE_LIMITED = json.dumps({"error": {
    "type": "invalid_request_error", "code": "rate_limit",
    "message": "Too many requests hit the API too quickly."}}).encode()


def endpoint_of(method: str, path: str) -> str:
    return method + " " + _ID.sub(r"/{\1}", path.split("?")[0])


@dataclass
class Received:
    at: float
    endpoint: str
    status: int


@dataclass
class StripeStandIn:
    upstream: str
    account: int
    endpoint: int
    log: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _windows: dict[str, deque[float]] = field(default_factory=dict)

    def admit(self, endpoint: str, now: float) -> bool:
        with self._lock:
            windows = [(self._windows.setdefault("", deque()), self.account),
                       (self._windows.setdefault(endpoint, deque()), self.endpoint)]
            for window, _ in windows:
                while window and window[0] <= now - 1.0:
                    window.popleft()
            admitted = all(len(window) < limit for window, limit in windows)
            if admitted:
                for window, _ in windows:
                    window.append(now)
            self.log.append(Received(now, endpoint, 200 if admitted else 429))
            return admitted

    def most_in_one_second(self, *, endpoint: str | None = None) -> int:
        """The most requests received in any one-second window (all, or one endpoint)."""
        times = sorted(r.at for r in self.log if endpoint in (None, r.endpoint))
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most

    def refused(self) -> int:
        return sum(r.status == 429 for r in self.log)

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                if not standin.admit(endpoint_of(self.command, self.path), time.monotonic()):
                    self.send_response(429)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(RATE_LIMITED)))
                    self.end_headers()
                    self.wfile.write(RATE_LIMITED)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                request = urllib.request.Request(  # noqa: S310  # our localstripe
                    f"{standin.upstream}{self.path}", data=body, headers=headers,
                    method=self.command)
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  # nosec B310 — our localstripe
                        status, payload, kind = answer.status, answer.read(), \
                            answer.headers.get("Content-Type", "application/json")
                except urllib.error.HTTPError as exc:
                    status, payload, kind = exc.code, exc.read(), \
                        exc.headers.get("Content-Type", "application/json")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _forward  # noqa: N815  # http.server's names

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"
