"""Local development (`make run`): SQLite, local-memory cache, local files, local issuer."""

from .base import *  # noqa: F403
from .local_issuer import *  # noqa: F403

DEBUG = True
