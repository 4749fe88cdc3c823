"""The committed OpenAPI document is the code's, and the code keeps to it (schemathesis)."""

from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hsettings

COMMITTED = Path(settings.BASE_DIR) / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text() == COMMITTED.read_text(), (
        "openapi.yaml is stale: run `make schema` and commit it")


def test_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()  # sidecar assets, no CDN


def _wsgi():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# The document as the app serves it (equal to the committed one: see the first test);
# loaded from the app so that checks which re-send a request know where to send it.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", _wsgi())
public = schema.include(method="GET").exclude(path_regex="^/api/v1/(me|tickets)")
signed_in = schema.include(path_regex="^/api/v1/(me|tickets)")
EXAMPLES = settings.FUZZ_EXAMPLES


@pytest.fixture
def demo_data(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


@pytest.fixture
def wsgi_app():
    """The real WSGI app, minus closing the connection per request (the test transaction
    must survive), as Django's own test client does."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _wsgi()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


FUZZ = hsettings(max_examples=EXAMPLES, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.django_db
@public.parametrize()
@FUZZ
def test_public_api_conforms_to_its_schema(case, demo_data, wsgi_app):
    case.call_and_validate()


@pytest.mark.django_db
@signed_in.parametrize()
@FUZZ
def test_signed_in_api_conforms_to_its_schema(case, demo_data, wsgi_app, bearer):
    headers = {"Authorization": bearer("fuzzer@example.com")["HTTP_AUTHORIZATION"]}
    case.call_and_validate(headers=headers)
