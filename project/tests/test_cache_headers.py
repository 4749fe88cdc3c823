"""What the edge may keep (project/cache_headers.py, frontend.yaml's PublicApiCachePolicy):
public GETs say public with s-maxage and stale-while-revalidate; every signed-in, staff or
error response says private / no-store."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from info.models import InfoPage

pytestmark = pytest.mark.django_db

PUBLIC = re.compile(r"^public, max-age=0, s-maxage=(\d+), stale-while-revalidate=(\d+), "
                    r"stale-if-error=(\d+)$")


def is_private(response) -> bool:
    value = response["Cache-Control"]
    return "public" not in value and ("private" in value or "no-store" in value)


@pytest.fixture
def site(make_performance):
    performance = make_performance()
    InfoPage.objects.create(slug="access", title="Access", body="Lift.",
                            published=True)
    return performance


def public_paths(performance) -> list[str]:
    slug = performance.show.slug
    return ["/api/v1/shows/", f"/api/v1/shows/?q={slug}", f"/api/v1/shows/{slug}/",
            f"/api/v1/performances/{performance.pk}/", "/api/v1/info/",
            "/api/v1/info/access/"]


def test_public_gets_may_be_kept_at_the_edge_for_seconds(api, site, settings):
    for path in public_paths(site):
        response = api.get(path)
        assert response.status_code == 200, path
        match = PUBLIC.match(response["Cache-Control"])
        assert match, (path, response["Cache-Control"])
        assert [int(g) for g in match.groups()] == [
            settings.EDGE_MAX_AGE, settings.EDGE_STALE, settings.EDGE_STALE_IF_ERROR]
        assert 0 < settings.EDGE_MAX_AGE <= 10 and settings.EDGE_STALE <= 60


def test_the_same_paths_signed_in_are_private(api, site, bearer):
    for path in public_paths(site):
        response = api.get(path, **bearer())
        assert response.status_code == 200 and is_private(response), path


def test_signed_in_responses_are_private(api, site, bearer):
    for path in ("/api/v1/me/", "/api/v1/tickets/", "/api/v1/waitlist/",
                 f"/api/v1/performances/{site.pk}/waitlist/"):
        response = api.get(path, **bearer())
        assert response.status_code in (200, 404), (path, response.status_code)
        assert is_private(response), (path, response["Cache-Control"])
    reserved = api.post("/api/v1/tickets/", {"performance": site.pk, "quantity": 1},
                        format="json", **bearer())
    assert reserved.status_code == 201 and is_private(reserved)


def test_errors_are_never_kept(api, site):
    for path in ("/api/v1/shows/no-such-show/", "/api/v1/performances/999999/",
                 "/api/v1/info/nothing/", "/api/v1/nothing/", "/api/v1/tickets/",
                 "/api/v1/shows/?page=999"):
        response = api.get(path)
        assert response.status_code >= 400, path
        assert is_private(response), (path, response["Cache-Control"])
    response = api.post("/api/v1/shows/", {}, format="json")
    assert response.status_code == 405 and is_private(response)


def test_health_and_schema_are_not_kept(api):
    assert is_private(api.get("/api/v1/health/"))


def test_staff_pages_are_private(staff_client, site):
    for path in ("/admin/", "/admin/shows/show/", f"/admin/shows/show/{site.show.pk}/change/"):
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert is_private(response), (path, response["Cache-Control"])
    assert is_private(Client().get("/admin/login/"))


def test_the_edge_honours_these_headers_on_those_paths():
    """frontend.yaml: the public paths have behaviours with the cache policy, which keeps
    nothing without Cache-Control (DefaultTTL 0) and keys on Authorization."""
    from cfnlint.decode import cfn_yaml

    from deploy.tests.conftest import ROOT

    template = cfn_yaml.load(str(ROOT / "deploy" / "templates" / "frontend.yaml"))
    policy = template["Resources"]["PublicApiCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert policy["DefaultTTL"] == 0 and policy["MinTTL"] == 0
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert "Authorization" in key["HeadersConfig"]["Headers"]
    assert key["CookiesConfig"]["CookieBehavior"] == "none"
    behaviours = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"][
        "CacheBehaviors"]
    cached = [b["PathPattern"] for b in behaviours
              if b["CachePolicyId"] == {"Ref": "PublicApiCachePolicy"}]
    assert cached == ["/api/v1/shows*", "/api/v1/performances/*", "/api/v1/info*"]
    paths = [b["PathPattern"] for b in behaviours]
    assert paths.index("/api/*") > max(paths.index(p) for p in cached)  # first match wins
    for behaviour in behaviours:
        if behaviour["PathPattern"] in ("/api/*", "/admin/*"):
            assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
