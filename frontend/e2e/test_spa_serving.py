"""project/spa.py: the built SPA, hashed assets and the history-API fallback."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.urls("project.spa")


@pytest.fixture
def dist(tmp_path, settings):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script src="/assets/index-AbC123xy.js">')
    (tmp_path / "assets" / "index-AbC123xy.js").write_text("console.log(1)")
    (tmp_path / "robots.txt").write_text("User-agent: *")
    settings.SPA_DIST_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/shows/the-tempest", "/tickets", "/tickets/4f1e",
                                  "/info/visit/", "/auth/callback"])
def test_client_routes_get_index_html(client, dist, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"index-AbC123xy.js" in b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/no-such-page/", "/shows/a/b", "/favicon.ico"])
def test_other_paths_get_the_spa_with_a_404_status(client, dist, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"index-AbC123xy.js" in b"".join(response.streaming_content)


def test_hashed_assets_are_cached_for_a_year(client, dist):
    response = client.get("/assets/index-AbC123xy.js")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "immutable" in response["Cache-Control"]


def test_top_level_file_is_served_as_is(client, dist):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/assets/missing.js", "/assets/../index.html",
                                  "/assets/%2e%2e/%2e%2e/pyproject.toml"])
def test_missing_or_escaping_assets_are_404(client, dist, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/admin/x", "/dev-auth/x", "/static/x.css"])
def test_server_paths_are_never_the_spa(client, dist, path):
    assert client.get(path).status_code == 404


def test_only_safe_methods(client, dist):
    assert client.post("/shows/x").status_code == 405


def test_unbuilt_spa_says_how_to_build_it(client, settings, tmp_path):
    settings.SPA_DIST_DIR = tmp_path / "nothing"
    response = client.get("/")
    assert response.status_code == 503
    assert b"make spa" in response.content
