"""A customer who chose French gets their emails in French: subject, body, dates and money
(issue 26). The language is the one stored on the customer (the SPA's switcher), else the
venue's."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db(transaction=True)

TICKETS = "/api/v1/tickets/"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Saturday 12 December 2037, 19:30 in Lyon (far enough ahead to stay on sale).
EVENING = dt.datetime(2037, 12, 12, 19, 30, tzinfo=PARIS)


@pytest.fixture
def french_customer(bearer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer("lea@example.com")["HTTP_AUTHORIZATION"])
    response = client.put("/api/v1/me/language/", {"language": "fr"}, format="json")
    assert response.status_code == 200
    return client


@pytest.fixture
def tempest(make_show, make_performance, settings):
    settings.VENUE_TIME_ZONE = "Europe/Paris"
    show = make_show(title="The Tempest", translations={"fr": {"title": "La Tempête"}})
    return show


def reserve(client, performance, quantity=2):
    response = client.post(TICKETS, {"performance": performance.pk, "quantity": quantity},
                           format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_free_order_confirmed_then_cancelled_in_french(ses, french_customer, tempest,
                                                        make_performance):
    performance = make_performance(show=tempest, starts_at=EVENING)
    order = reserve(french_customer, performance)
    assert french_customer.post(f"{TICKETS}{order['id']}/cancel/").status_code == 200

    confirmation, cancellation = ses.of(order["id"])
    assert confirmation.subject == "Vos billets pour La Tempête"
    assert "Votre commande est confirmée." in confirmation.text
    assert "Spectacle :   La Tempête" in confirmation.text
    assert "samedi 12 décembre 2037, 19 h 30 (Europe/Paris)" in confirmation.text
    assert "Gratuit" in confirmation.text
    assert '<html lang="fr">' in confirmation.html and "Billet 1 sur 2" in confirmation.html

    assert cancellation.subject == "Votre commande pour La Tempête est annulée"
    assert ("Votre commande pour La Tempête est annulée et ses billets ne sont plus valables."
            in cancellation.text)
    assert "Votre commande est annulée" in cancellation.html


def test_a_paid_order_in_french_shows_euros_the_french_way(ses, french_customer, tempest,
                                                           make_performance, stripe_local,
                                                           settings):
    from notifications.tests.test_services import pay

    settings.PAYMENT_RECONCILE_SECONDS = 0
    performance = make_performance(show=tempest, price_cents=3250, currency="EUR")
    order = reserve(french_customer, performance)
    pay(french_customer, order)
    assert french_customer.post(f"{TICKETS}{order['id']}/cancel/").status_code == 200

    confirmation, cancellation = ses.of(order["id"])
    assert "Total :  65,00\u00a0€" in confirmation.text
    assert cancellation.subject == "Votre commande pour La Tempête est annulée"
    assert ("Nous remboursons 65,00\u00a0€ sur la carte utilisée pour le paiement."
            in cancellation.text)


def test_a_customer_who_never_chose_gets_the_venues_language(ses, bearer, tempest,
                                                             make_performance, settings):
    settings.LANGUAGE_CODE = "fr"  # a French venue
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer("max@example.com")["HTTP_AUTHORIZATION"])
    order = reserve(client, make_performance(show=tempest), quantity=1)
    [confirmation] = ses.of(order["id"])
    assert confirmation.subject == "Vos billets pour La Tempête"


def test_an_english_customer_keeps_english(ses, bearer, tempest, make_performance):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer("sam@example.com")["HTTP_AUTHORIZATION"])
    client.put("/api/v1/me/language/", {"language": "en"}, format="json")
    order = reserve(client, make_performance(show=tempest), quantity=1)
    [confirmation] = ses.of(order["id"])
    assert confirmation.subject == "Your tickets for The Tempest"
    assert "Your order is confirmed." in confirmation.text
