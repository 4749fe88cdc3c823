"""The box office in French (issue 26), end to end in Chromium: a visitor whose browser
asks for French browses, signs in, buys with 4242 4242 4242 4242 and sees the confirmation
and My tickets in French, with French dates and money; the confirmation email follows the
language stored on their account; switching to English switches everything (the API's
content too) and survives a reload."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from e2e_support import (
    CARD_ELEMENT,
    CARD_OK,
    assert_accessible,
    fill_card,
    qr_codes_loaded,
    read_email,
    shoot,
    sign_in,
    wait_for_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Saturday 12 December 2037, 19:30 in Lyon.
EVENING = dt.datetime(2037, 12, 12, 19, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
MONEY_SPACE = r"[\s\u202f\u00a0]"  # Intl puts a narrow no-break space before the euro sign


@pytest.fixture
def french_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR",
                                  timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def tempest(make_show, make_performance):
    show = make_show(slug="the-tempest", title="The Tempest", summary="An island, a storm.",
                     description="Doors at 7.",
                     translations={"fr": {"title": "La Tempête", "summary": "Une île, un orage.",
                                          "description": "Ouverture des portes à 19 h."}})
    performance = make_performance(show=show, starts_at=EVENING, capacity=10,
                                   price_cents=3250, currency="EUR")
    return show, performance


def test_buy_in_french_then_switch_to_english(checkout, french_page, tempest, eml_outbox,
                                              settings):
    from languages.models import CustomerLanguage
    from tickets.models import Order

    settings.SITE_URL = checkout
    page, base = french_page, checkout
    show, performance = tempest

    # Browse: the list and the show in French, with French dates and money.
    page.goto(f"{base}/")
    page.get_by_role("heading", name="À l'affiche").wait_for()
    card = page.locator(".card", has_text="La Tempête")
    assert "Une île, un orage." in card.inner_text()
    assert "samedi 12 décembre 2037, 19 h 30" in card.inner_text()
    assert re.search(rf"À partir de 32,50{MONEY_SPACE}€", card.inner_text())
    assert page.evaluate("document.documentElement.lang") == "fr"
    card.get_by_role("link", name="La Tempête").click()
    page.get_by_role("heading", name="La Tempête").wait_for()
    assert "Ouverture des portes à 19 h." in page.locator(".description").inner_text()
    assert_accessible(page, "a show in French")

    # Sign in and reserve.
    item = page.locator(f"[data-performance='{performance.id}']")
    item.get_by_role("button", name="Connectez-vous pour réserver").click()
    sign_in(page, "lea@example.com", f"{base}/shows/{show.slug}")
    seats = item.locator("input[type=number]")  # the one category's stepper (issue 21)
    seats.fill("2")
    seats.blur()
    item.get_by_role("button", name=re.compile(rf"^Réserver · 65,00{MONEY_SPACE}€$")).click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/tickets/[0-9a-f-]{{36}}\?reserved=1$"))
    order_id = page.url.split("/tickets/")[1].split("?")[0]

    # The payment step, in French; pay with 4242.
    page.get_by_role("heading", name="Payer vos billets").wait_for()
    assert re.search(rf"2 × 32,50{MONEY_SPACE}€", page.locator(".summary").inner_text())
    page.locator(f"{CARD_ELEMENT} input[placeholder=number]").wait_for()
    fill_card(page, CARD_OK)
    pay_button = page.get_by_role("button", name=re.compile(rf"^Payer 65,00{MONEY_SPACE}€$"))
    page.wait_for_function("() => !document.querySelector('form.pay button[type=submit]').disabled")
    pay_button.click()

    # The confirmation, in French.
    page.get_by_text("Paiement reçu : 2 billets confirmés.").wait_for()
    qr_codes_loaded(page, 2)
    assert Order.objects.get(pk=order_id).status == "confirmed"
    order_card = page.locator(f"[data-order='{order_id}']")
    assert "samedi 12 décembre 2037, 19 h 30" in order_card.inner_text()
    assert "Confirmée" in order_card.inner_text()
    assert_accessible(page, "a paid order in French")

    # The account learnt the language at sign-in: the email is in French.
    assert CustomerLanguage.objects.get(customer__email="lea@example.com").language == "fr"
    message, plain, _html = read_email(wait_for_email(eml_outbox, order_id, "confirmation"))
    assert message["Subject"] == "Vos billets pour La Tempête"
    assert "samedi 12 décembre 2037, 19 h 30" in plain and "65,00\u00a0€" in plain

    # My tickets, in French.
    page.get_by_role("link", name="Mes billets").first.click()
    page.get_by_role("heading", name="Mes billets").wait_for()
    mine = page.locator(f"[data-order='{order_id}']")
    mine.wait_for()
    assert "La Tempête — samedi 12 décembre 2037, 19 h 30" in mine.inner_text()
    assert re.search(rf"Total 65,00{MONEY_SPACE}€", mine.inner_text())
    assert "2 billets" in mine.inner_text()
    shoot(page, "my-tickets-fr", 1280)
    shoot(page, "my-tickets-fr", 360)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Switch to English: everything switches, the show's own content included.
    page.locator(".language-switch").click()
    page.get_by_role("heading", name="My tickets").wait_for()
    mine = page.locator(f"[data-order='{order_id}']")
    mine.get_by_text("The Tempest").wait_for()
    text = mine.inner_text()
    assert re.search(r"Saturday,? 12 December 2037, 19:30", text)
    assert "Total €65.00" in text and "2 tickets" in text and "Confirmed" in text
    assert page.evaluate("document.documentElement.lang") == "en"
    _wait_for_language(lambda: CustomerLanguage.objects.get(
        customer__email="lea@example.com").language, "en")

    # … and survives a reload.
    page.reload()
    page.get_by_role("heading", name="My tickets").wait_for()
    page.locator(f"[data-order='{order_id}']").get_by_text("The Tempest").wait_for()
    assert page.get_by_role("link", name="Shows").count() == 1
    assert page.locator(".language-switch").inner_text().strip().endswith("Français")


def _wait_for_language(read, expected: str, timeout: float = 5.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while read() != expected:
        assert time.monotonic() < deadline, f"the account's language is not {expected}"
        time.sleep(0.05)
