"""Printable tickets: one PDF per order, a ticket per page, every QR code its ticket's code."""

import io

import pytest

from tickets.pdf import PrintedTicket, Printout, tickets_pdf

from .pdf_reading import pdf_pages_qr_codes, pdf_pages_text

TICKETS = "/api/v1/tickets/"


@pytest.mark.parametrize("layout", ["a4", "thermal"])
def test_a_page_per_ticket_each_with_its_labels_and_a_qr_code_of_its_code(layout):
    printout = Printout(
        show="Le Misanthrope — “a comedy”", starts_at="Saturday 5 December 2026, 20:00",
        venue="Théâtre du Marais", address="37 rue Volta, Paris", order_ref="1a2b3c4d",
        tickets=(PrintedTicket(code="AAAABBBBCCCCDDDD", labels=("Category: Reduced",
                                                               "Seat: Stalls B 12")),
                 PrintedTicket(code="EEEEFFFFGGGGHHHH"), PrintedTicket(code="JJJJKKKKMMMMNNNN")))
    data = tickets_pdf(printout=printout, layout=layout)

    texts = pdf_pages_text(data)
    assert len(texts) == 3
    assert all("Le Misanthrope" in t and "Théâtre du Marais" in t and "37 rue Volta, Paris" in t
               and "Saturday 5 December 2026, 20:00" in t for t in texts)
    assert "Category: Reduced" in texts[0] and "Seat: Stalls B 12" in texts[0]
    assert "Category" not in texts[1]
    assert [t.code in texts[i] for i, t in enumerate(printout.tickets)] == [True] * 3
    assert pdf_pages_qr_codes(data) == [[t.code] for t in printout.tickets]


def test_thermal_pages_are_80_mm_wide():
    from pypdf import PdfReader

    data = tickets_pdf(printout=Printout(show="S", starts_at="now", venue="V", address="",
                                         order_ref="x", tickets=(PrintedTicket("ABCD"),)),
                       layout="thermal")
    width_mm = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width) * 25.4 / 72
    assert round(width_mm) == 80


@pytest.mark.django_db
def test_owner_downloads_the_orders_tickets(api, bearer, make_performance):
    performance = make_performance(capacity=20, price_cents=0)
    order = api.post(TICKETS, {"performance": performance.pk, "quantity": 2}, format="json",
                     **bearer()).json()
    codes = [t["code"] for t in order["tickets"]]

    for layout in ("a4", "thermal"):
        response = api.get(f"{TICKETS}{order['id']}/tickets.pdf?layout={layout}", **bearer())
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
        pages = pdf_pages_qr_codes(response.content)
        assert sorted(code for page in pages for code in page) == sorted(codes)
        assert all(len(page) == 1 for page in pages)
        assert all(performance.show.title in text and performance.venue.name in text
                   for text in pdf_pages_text(response.content))


@pytest.mark.django_db
def test_only_the_owner_and_only_a_confirmed_order_with_a_known_layout(api, bearer,
                                                                       make_performance):
    performance = make_performance(capacity=20, price_cents=0)
    order = api.post(TICKETS, {"performance": performance.pk, "quantity": 1}, format="json",
                     **bearer()).json()
    url = f"{TICKETS}{order['id']}/tickets.pdf"
    assert api.get(url).status_code == 401
    assert api.get(url, **bearer("mallory@example.com")).status_code == 404
    bad = api.get(f"{url}?layout=letter", **bearer())
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert api.post(f"{TICKETS}{order['id']}/cancel/", **bearer()).status_code == 200
    refused = api.get(url, **bearer())
    assert refused.status_code == 409 and refused.json()["code"] == "not_printable"


@pytest.mark.django_db
def test_the_pdf_is_in_the_customer_s_language(api, bearer, make_performance):
    """French: the labels, the date and the category's name (issue 26 on issue 23's PDF)."""
    import datetime as dt

    from django.utils import timezone

    start = (timezone.now() + dt.timedelta(days=30)).replace(hour=18, minute=30)
    performance = make_performance(starts_at=start, categories=[
        {"name": "Reduced", "price_cents": 0,
         "translations": {"fr": {"name": "Tarif réduit"}}}])
    order = api.post(TICKETS, {"performance": performance.pk, "quantity": 1}, format="json",
                     **bearer()).json()
    french = api.get(f"{TICKETS}{order['id']}/tickets.pdf", HTTP_ACCEPT_LANGUAGE="fr",
                     **bearer())
    [text] = pdf_pages_text(french.content)
    assert "Billet 1 sur 1" in text and "Tarif réduit" in text
    assert "Présentez ce code à l'entrée" in text
    [english] = pdf_pages_text(api.get(f"{TICKETS}{order['id']}/tickets.pdf",
                                       HTTP_ACCEPT_LANGUAGE="en", **bearer()).content)
    assert "Ticket 1 of 1" in english and "Reduced" in english
