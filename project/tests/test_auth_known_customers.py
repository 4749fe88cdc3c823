"""Known customers are found without a query, for KNOWN_CUSTOMER_SECONDS at most."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from project import auth

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_a_returning_customer_costs_no_query(api, bearer):
    headers = bearer("known@example.com")
    assert api.get(ME, **headers).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        body = api.get(ME, **headers).json()
    assert body["email"] == "known@example.com" and queries.captured_queries == []


def test_a_disabled_customer_is_refused_once_the_known_copy_lapses(api, bearer,
                                                                   django_user_model):
    headers = bearer("gone@example.com")
    assert api.get(ME, **headers).status_code == 200
    django_user_model.objects.filter(email="gone@example.com").update(is_active=False)
    assert api.get(ME, **headers).status_code == 200  # within the known copy's lifetime
    for sub, (_, fields) in list(auth._known.items()):
        auth._known[sub] = (0.0, fields)  # KNOWN_CUSTOMER_SECONDS later
    assert api.get(ME, **headers).status_code == 401


def test_an_email_claim_that_differs_reads_the_customer_again(api, django_user_model):
    from devauth import keys

    sub = keys.sub_for_email("old@example.com")
    for email in ("old@example.com", "new@example.com"):
        token = keys.issue_access_token(sub=sub, email=email)
        assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").json()["email"] == email
    assert django_user_model.objects.get(username=sub).email == "new@example.com"
