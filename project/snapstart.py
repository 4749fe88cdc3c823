"""Lambda SnapStart hooks (snapshot-restore-py).

The init phase (project/lambda_handler.py) is snapshotted once per published version and
restored in many execution environments. Whatever init opened or cached must not be shared:
- before the snapshot: close database connections and the cache's Redis connections, so no
  restored environment reuses a socket another one also holds;
- after a restore: reseed `random` (every restore would otherwise replay the same
  sequence) and drop cached AWS clients, their credentials and the database secret.
"""

from __future__ import annotations

import random

from snapshot_restore_py import register_after_restore, register_before_snapshot


def before_snapshot() -> None:
    from django.core.cache import caches
    from django.db import connections

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
