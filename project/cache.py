"""A Redis cache that degrades to "miss" instead of failing the request.

Listings are a read-through cache of the database: when Redis is down or slow, reads go to
PostgreSQL and still answer 200. Django's own RedisCache raises instead.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _fail_soft(default: Any):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError as exc:
                logger.warning("cache unavailable (%s): %s", method.__name__, exc)
                return default(*args, **kwargs) if callable(default) else default
        return wrapper
    return decorate


def _default_arg(key, default=None, *args, **kwargs):
    return default


class ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis object for every command; keep one per pool.
    Measured (bench/RESULTS.md): 0.3 ms, 17 %, of a cached list request."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._pinned = threading.local()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        pool = self._get_connection_pool(write)
        client = self._clients.get(index)
        if client is None or client.connection_pool is not pool:  # new pool after restore
            client = self._clients[index] = self._client(connection_pool=pool)
        return client

    def run_script(self, script: str, sha: str, keys: list[str], args: list[Any]) -> Any:
        """EVALSHA (EVAL once after a Redis restart or flush) on a connection this thread
        keeps, as `single_connection_client` does: no pool checkout and release, no retry
        wrapper per call. Those were half the client-side CPU of the one round trip a
        cached page costs (bench/RESULTS.md). A failure drops the connection (the next
        call reconnects) and raises."""
        from redis.exceptions import RedisError

        pool = self._get_connection_pool(True)
        pinned = getattr(self._pinned, "connection", None)
        if pinned is None or pinned[0] is not pool:  # first call, or a new pool
            # Checked out for good: the pool still counts it in use, so disconnecting the
            # pool (project.snapstart, before the snapshot) closes it too; it reconnects
            # on its next command.
            pinned = self._pinned.connection = (pool, pool.get_connection())
        connection = pinned[1]

        def execute(*command: Any) -> Any:
            connection.send_packed_command(connection.pack_command(*command))
            return connection.read_response()

        try:
            return eval_script(execute, script, sha, keys, args)
        except RedisError:
            connection.disconnect()
            raise


def eval_script(execute: Callable[..., Any], script: str, sha: str, keys: list[str],
                args: list[Any]) -> Any:
    """EVALSHA through `execute` (a redis-py `execute_command`), and EVAL once when Redis
    does not know the script (restarted or flushed)."""
    from redis.exceptions import NoScriptError

    try:
        return execute("EVALSHA", sha, len(keys), *keys, *args)
    except NoScriptError:
        return execute("EVAL", script, len(keys), *keys, *args)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _fail_soft(_default_arg)(RedisCache.get)
    get_many = _fail_soft({})(RedisCache.get_many)
    set = _fail_soft(None)(RedisCache.set)
    add = _fail_soft(False)(RedisCache.add)
    set_many = _fail_soft([])(RedisCache.set_many)
    delete = _fail_soft(False)(RedisCache.delete)
    delete_many = _fail_soft(None)(RedisCache.delete_many)
    touch = _fail_soft(False)(RedisCache.touch)
    has_key = _fail_soft(False)(RedisCache.has_key)
    clear = _fail_soft(None)(RedisCache.clear)

    @_fail_soft(None)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    def is_available(self) -> bool:
        try:
            return bool(self._cache.get_client().ping())
        except RedisError:
            return False


def prepare(cache) -> None:
    """Build the cache's client without connecting (see project.lambda_handler)."""
    getattr(cache, "_cache", None)
