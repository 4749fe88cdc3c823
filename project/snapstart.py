"""Lambda SnapStart hooks (snapshot-restore-py).

The init phase (project/lambda_handler.py) is snapshotted once per published version and
restored in many execution environments. Whatever init opened or cached must not be shared:
- before the snapshot: serve a few requests that touch neither the database nor a secret
  (priming: the first real request after a restore then finds DRF's request cycle, the
  throttles, the problem handler and the renderers warm), then close database connections
  and the cache's Redis connections, so no restored environment reuses a socket another one
  also holds;
- after a restore: reseed `random` (every restore would otherwise replay the same
  sequence) and drop cached AWS clients, their credentials and the database secret.
"""

from __future__ import annotations

import io
import logging
import random

from snapshot_restore_py import register_after_restore, register_before_snapshot

logger = logging.getLogger(__name__)

# Each ends inside DRF before any query: an anonymous call to a signed-in endpoint (401
# after authentication and permissions) and a list with an invalid filter (422 after the
# anonymous throttle, one Redis round trip). No database connection is opened and no
# secret is read, so neither can be left in the snapshot's memory.
PRIMING_PATHS = ["/api/v1/tickets/", "/api/v1/shows/?from=priming"]


def prime() -> list[int]:
    """Serve PRIMING_PATHS through Django's WSGI handler; their status codes."""
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
    statuses = []
    for path in PRIMING_PATHS:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query,
            "SCRIPT_NAME": "", "SERVER_NAME": host, "SERVER_PORT": "443",
            "HTTP_HOST": host, "HTTP_X_FORWARDED_PROTO": "https", "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(),
            "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        def start_response(status: str, headers: list, exc_info: object = None) -> None:
            statuses.append(int(status.split()[0]))

        try:
            response = app(environ, start_response)
            b"".join(response)
            response.close()
        except Exception:  # priming is an optimisation: never fail the snapshot for it
            logger.warning("snapstart: priming %s failed", path, exc_info=True)
    return statuses


def before_snapshot() -> None:
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connections

    if settings.SNAPSTART_PRIMING:
        prime()
    connections.close_all()
    for cache in caches.all(initialized_only=True):
        cache.close()
        # Django's RedisCache keeps one connection pool per server for the process; drop
        # them so a restored environment opens its own sockets.
        pools = getattr(getattr(cache, "_cache", None), "_pools", None)
        if pools:
            for pool in pools.values():
                pool.disconnect()
            pools.clear()


def after_restore() -> None:
    from project import aws

    random.seed()  # from os.urandom, which the Lambda runtime makes unique per restore
    aws.reset()


_registered = False


def register() -> None:
    """Register both hooks once (safe to call again)."""
    global _registered
    if not _registered:
        register_before_snapshot(before_snapshot)
        register_after_restore(after_restore)
        _registered = True
