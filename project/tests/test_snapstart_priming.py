"""The before-snapshot priming serves requests that leave no connection or secret behind.

(That the hook then closes database and Redis connections, and that a restored
environment reopens them, is tested on the unzipped package: deploy/tests/test_handler.py.)
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from project import aws, snapstart

pytestmark = pytest.mark.django_db


@pytest.mark.redis
def test_priming_answers_without_a_query_or_a_secret(settings, redis_cache):
    settings.DATABASE_SECRET_ARN = "arn:aws:secretsmanager:eu-west-3:1:secret:never-read"
    aws.reset()
    with CaptureQueriesContext(connection) as queries:
        statuses = snapstart.prime()
    assert statuses == [401, 422]  # DRF answered both, problem+json
    assert queries.captured_queries == []
    assert aws._secrets == {} and aws._clients == {}
