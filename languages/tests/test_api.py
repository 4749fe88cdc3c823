"""The API in the customer's language: problems (title, detail) by Accept-Language with the
same `code`, and the customer's stored language (/api/v1/me/language/)."""

from __future__ import annotations

import pytest

from languages.models import CustomerLanguage

pytestmark = pytest.mark.django_db

LANGUAGE = "/api/v1/me/language/"


def test_problems_are_in_french_for_accept_language_fr_with_the_same_code(api):
    english = api.get("/api/v1/shows/no-such-show/")
    french = api.get("/api/v1/shows/no-such-show/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert english.status_code == french.status_code == 404
    assert english.json()["code"] == french.json()["code"] == "not_found"
    assert (english.json()["title"], english.json()["detail"]) == ("Not found", "No such show.")
    assert (french.json()["title"], french.json()["detail"]) == (
        "Introuvable", "Ce spectacle n'existe pas.")
    assert french["Content-Language"] == "fr"


def test_validation_and_unknown_routes_answer_in_french_too(api):
    invalid = api.get("/api/v1/shows/?from=yesterday", HTTP_ACCEPT_LANGUAGE="fr")
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid"
    assert invalid.json()["title"] == "Requête invalide"
    assert invalid.json()["detail"] == "Certaines valeurs sont invalides."
    unknown = api.get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="fr")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Cette ressource n'existe pas."


def test_a_signed_in_problem_in_french(api, bearer):
    response = api.get("/api/v1/tickets/00000000-0000-4000-8000-000000000000/",
                       HTTP_ACCEPT_LANGUAGE="fr", **bearer())
    assert response.status_code == 404
    assert response.json() | {"type": None} == {
        "type": None, "title": "Introuvable", "status": 404,
        "detail": "Cette commande n'existe pas.", "code": "not_found"}


def test_the_customer_chooses_a_language_and_it_is_stored(api, bearer, settings):
    settings.LANGUAGE_CODE = "fr"
    headers = bearer("lea@example.com")
    assert api.get(LANGUAGE, **headers).json() == {"language": "fr"}  # the venue's, at first
    response = api.put(LANGUAGE, {"language": "en"}, format="json", **headers)
    assert response.status_code == 200 and response.json() == {"language": "en"}
    assert api.get(LANGUAGE, **headers).json() == {"language": "en"}
    assert CustomerLanguage.objects.get(customer__email="lea@example.com").language == "en"
    assert api.put(LANGUAGE, {"language": "fr"}, format="json", **headers).json() == {
        "language": "fr"}
    assert CustomerLanguage.objects.count() == 1


def test_an_unknown_language_is_refused(api, bearer):
    response = api.put(LANGUAGE, {"language": "de"}, format="json",
                       HTTP_ACCEPT_LANGUAGE="fr", **bearer())
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert "language" in response.json()["errors"]


def test_the_language_needs_a_signed_in_customer(api):
    assert api.get(LANGUAGE).status_code == 401
