"""Local development (`make run`): SQLite, local-memory cache, local files."""

from .base import *  # noqa: F403

DEBUG = True
