"""Bench-only settings of the HTTP benchmark (bench/http_load.py); never deployed.

Production settings as they are (DEBUG off, persistent database connections with health
checks, the Redis cache, HTTPS behind a proxy), plus:
- the local token issuer, so the clients send real RS256 tokens of many customers without
  Cognito (the same verifier code; its key is the one the bench process signs with);
- this URLconf, which adds the floor views of bench/http_site/floor.py to project.urls.
The process environment (bench/http_load.py) supplies what production reads from it.
"""

# Order matters: the local issuer's values replace production's.
from project.settings.production import *  # noqa: F403, I001
from project.settings.local_issuer import *  # noqa: F403
from project.settings.base import BASE_DIR

ROOT_URLCONF = "bench.http_site.urls"
# The bench process runs under the test settings and signs the tokens with their key.
LOCAL_ISSUER_KEY_PATH = BASE_DIR / "var" / "test-issuer" / "private-key.pem"
# As on Lambda, an order's email goes to another invocation after commit; off Lambda there
# is none, so the row is written and sending is left to the job (never inline, to SES).
EMAIL_DISPATCH = "defer"
