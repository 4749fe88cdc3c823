"""Show and info content in both languages: served in the request's language, falling back
to the venue's, and cached per language."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from info.models import InfoPage
from shows import cache

pytestmark = pytest.mark.django_db

FRENCH = {"title": "La Tempête", "summary": "Une île, un orage.",
          "description": "Portes à 19 h."}


@pytest.fixture
def tempest(make_show, make_performance):
    # The venue writes in English here (test settings): French is the translation.
    show = make_show(slug="the-tempest", title="The Tempest", summary="An island, a storm.",
                     description="Doors at 7.", translations={"fr": FRENCH})
    make_performance(show=show)
    return show


def test_a_show_written_in_both_languages_is_served_in_each(api, tempest):
    english = api.get("/api/v1/shows/the-tempest/", HTTP_ACCEPT_LANGUAGE="en").json()
    french = api.get("/api/v1/shows/the-tempest/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (english["title"], english["summary"], english["description"]) == (
        "The Tempest", "An island, a storm.", "Doors at 7.")
    assert (french["title"], french["summary"], french["description"]) == (
        "La Tempête", "Une île, un orage.", "Portes à 19 h.")
    listed = api.get("/api/v1/shows/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    assert [(s["title"], s["summary"]) for s in listed] == [("La Tempête", "Une île, un orage.")]
    performance = tempest.performances.get()
    assert api.get(f"/api/v1/performances/{performance.pk}/",
                   HTTP_ACCEPT_LANGUAGE="fr").json()["show"]["title"] == "La Tempête"


def test_a_missing_translation_falls_back_to_the_venues_language(api, make_show,
                                                                 make_performance):
    show = make_show(slug="hamlet", title="Hamlet", summary="A prince.",
                     translations={"fr": {"summary": "Un prince.", "title": " "}})
    make_performance(show=show)
    french = api.get("/api/v1/shows/hamlet/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (french["title"], french["summary"]) == ("Hamlet", "Un prince.")
    german = api.get("/api/v1/shows/hamlet/", HTTP_ACCEPT_LANGUAGE="de").json()
    assert german["summary"] == "A prince."  # neither French nor English: the venue's


def test_info_pages_in_both_languages(api):
    InfoPage.objects.create(
        slug="access", title="Access", summary="Getting here.", body="Take **tram T1**.",
        published=True, translations={"fr": {"title": "Accès", "body": "Prenez le **tram T1**."}})
    french = api.get("/api/v1/info/access/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["title"] == "Accès"
    assert "Prenez le <strong>tram T1</strong>" in french["body_html"]
    [item] = api.get("/api/v1/info/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    assert (item["title"], item["summary"]) == ("Accès", "Getting here.")


def test_cached_pages_are_kept_per_language(api, tempest, shared_cache):
    for language, title in (("fr", "La Tempête"), ("en", "The Tempest")) * 2:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/shows/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.json()["results"][0]["title"] == title
        assert response["Content-Language"] == language
    # Each language computed once, then served from the cache without a query.
    assert len(queries) == 0
    keys = {cache.list_key({"_url": "http://testserver/api/v1/shows/"}, language)
            for language in ("fr", "en")}
    assert len(keys) == 2


def test_a_reservation_clears_the_seat_pages_of_every_language(api, tempest, shared_cache,
                                                               django_capture_on_commit_callbacks):
    performance = tempest.performances.get()
    for language in ("fr", "en"):
        api.get("/api/v1/shows/the-tempest/", HTTP_ACCEPT_LANGUAGE=language)
        api.get(f"/api/v1/performances/{performance.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    from django.core.cache import cache as django_cache

    stored = [cache.show_key("the-tempest", lang) for lang in ("fr", "en")] + [
        cache.performance_key(performance.pk, lang) for lang in ("fr", "en")]
    assert all(django_cache.get(key) is not None for key in stored)
    with django_capture_on_commit_callbacks(execute=True):
        cache.invalidate_seats(slug="the-tempest", performance_id=performance.pk)
    assert all(django_cache.get(key) is None for key in stored)


def test_the_admin_form_edits_the_other_language(staff_client, tempest):
    page = staff_client.get(f"/admin/shows/show/{tempest.pk}/change/")
    assert page.status_code == 200
    assert b'name="title__fr"' in page.content and "La Tempête".encode() in page.content
    form = {"slug": "the-tempest", "title": "The Tempest", "summary": "An island, a storm.",
            "description": "Doors at 7.", "duration_minutes": 150, "published": "on",
            "title__fr": "La Tempête", "summary__fr": "", "description__fr": "Portes à 19 h 30.",
            "performances-TOTAL_FORMS": 0, "performances-INITIAL_FORMS": 0}
    response = staff_client.post(f"/admin/shows/show/{tempest.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    tempest.refresh_from_db()
    assert tempest.translations == {"fr": {"title": "La Tempête",
                                           "description": "Portes à 19 h 30."}}
