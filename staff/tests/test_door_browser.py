"""Door mode in Chromium: a fake camera shows real tickets' QR codes; scans that fail on
the way are queued and sent again, and check a ticket in once.

The camera is Chromium's fake device playing a YUV4MPEG2 file that the test writes from
the tickets' codes (browser.write_y4m). Chromium on Linux has no BarcodeDetector, so the
bundled decoder (zxing-wasm) reads them. Screenshots go to var/screenshots/ (`make
screenshots` copies them to docs/screenshots/).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shows.models import Show
from staff.models import DoorScan, ScanResult
from tickets.models import Ticket
from tickets.qr import ticket_svg

from .browser import assert_accessible, shoot, ticket_symbol, write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FINISHED = "#log li:not([data-result='checking']):not([data-result='queued'])"


def door_url(performance):
    return reverse("admin:staff_doormode_door", args=[performance.pk])


def finished(page) -> list[dict]:
    """The scans answered so far, oldest first."""
    return page.eval_on_selector_all(
        FINISHED, "items => items.reverse().map(li => ({code: li.dataset.code,"
                  " result: li.dataset.result, text: li.querySelector('.what').textContent}))")


def wait_for_answers(page, count: int, timeout: int = 60_000) -> list[dict]:
    # (Locators, not wait_for_function: the page's CSP forbids the eval that it uses.)
    page.locator(FINISHED).nth(count - 1).wait_for(timeout=timeout)
    return finished(page)


def overlay(page) -> dict:
    return page.eval_on_selector("#result", "box => ({hidden: box.hidden, result: "
                                 "box.dataset.result, code: box.dataset.code, "
                                 "text: box.innerText})")


def checked_in_at(ticket):
    return Ticket.objects.get(pk=ticket.pk).checked_in_at


def test_the_test_camera_shows_tickets_as_tickets_qr_py_draws_them():
    code = "ABCDEFGHIJKLMNOP"
    from io import BytesIO
    buffer = BytesIO()
    ticket_symbol(code).save(buffer, kind="svg", xmldecl=False, scale=6, border=4,
                             title=f"Ticket {code}")
    assert buffer.getvalue() == ticket_svg(code)
    assert not ticket_symbol(code).is_micro  # a regular QR code: any phone can read it


def test_the_camera_scans_valid_then_already_checked_in_then_another_performance(
        staff_page, tonight, make_performance, reserve, tmp_path):
    Show.objects.filter(pk=tonight.show_id).update(title="The Tempest")
    other = make_performance(starts_at=tonight.starts_at + dt.timedelta(minutes=1))
    Show.objects.filter(pk=other.show_id).update(title="Twelfth Night")
    other.refresh_from_db()
    _, (ticket, second) = reserve(tonight, 2)
    _, (foreign,) = reserve(other)
    # The ticket, taken away, shown again (the same person at the door twice), then a
    # ticket for the other performance; a quiet start to look at the page.
    video = write_y4m(tmp_path / "door.y4m", [
        (None, 4), (ticket.code, 2), (None, 3), (ticket.code, 2), (None, 3),
        (foreign.code, 2), (None, 3)])
    page = staff_page(camera=video)
    page.goto(door_url(tonight))
    page.locator("#door:not([data-decoder=''])").wait_for(state="attached")
    decoder = page.get_attribute("#door", "data-decoder")
    assert "zxing-wasm" in decoder, decoder
    page.get_by_text("Scanning: hold a ticket's code in the frame.").wait_for()
    assert page.locator("#checked-in").inner_text() == "0"
    assert page.locator("#tickets").inner_text() == "2"
    shoot(page, "door-360")
    page.set_viewport_size({"width": 1000, "height": 700})
    shoot(page, "door-1000")
    page.set_viewport_size({"width": 360, "height": 740})

    seen: list[dict] = []
    first_at = None
    shots = {"valid": "door-valid-360", "already_checked_in": "door-already-checked-in-360",
             "wrong_performance": "door-wrong-performance-360"}
    for count in (1, 2, 3):
        answers = wait_for_answers(page, count)
        answer = answers[count - 1]
        shown = overlay(page)
        if shown["result"] == answer["result"] and not shown["hidden"] \
                and answer["result"] in shots:
            shoot(page, shots.pop(answer["result"]), full_page=False)
            assert overlay(page)["result"] == answer["result"], "the picture missed it"
        seen.append(answer)
        # The database agrees, each time.
        if answer["code"] == ticket.code and answer["result"] == "valid":
            first_at = checked_in_at(ticket)
            assert first_at is not None
            assert answer["text"] == "Valid — Full price · 1 of 2 on this order"
        elif answer["code"] == ticket.code:
            assert answer["result"] == "already_checked_in"
            assert first_at is not None and checked_in_at(ticket) == first_at
            # In the server's zone (as the page's other times), not the phone's (Paris).
            assert answer["text"] == \
                f"Already checked in at {timezone.localtime(first_at):%H:%M}"
        else:
            assert answer["code"] == foreign.code
            assert answer["result"] == "wrong_performance"
            assert answer["text"] == (
                f"Not for this performance — For {other.show.title}, "
                f"{timezone.localtime(other.starts_at):%a %-d %b, %H:%M}")
            assert checked_in_at(foreign) is None
    assert [a["result"] for a in seen if a["code"] == ticket.code] == [
        "valid", "already_checked_in"]
    assert [a["result"] for a in seen if a["code"] == foreign.code] == ["wrong_performance"]
    assert checked_in_at(second) is None
    assert page.locator("#checked-in").inner_text() == "1"
    assert DoorScan.objects.filter(code=ticket.code).count() == 2
    assert not shots, f"an answer went by before its screenshot: {sorted(shots)}"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Pause camera").click()  # no more answers on screen
    page.get_by_text("Camera paused.").wait_for()
    page.keyboard.press("Escape")
    shoot(page, "door-scans-360")
    assert_accessible(page, "door mode, after three scans")


def type_code(page, code):
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in").click()


def queue_length(page) -> int:
    return page.evaluate("JSON.parse(localStorage.getItem('marquee.door.queue.v1') || '[]')"
                         ".length")


def wait_for_result(page, code, result):
    page.locator(f"#log li[data-code='{code}'][data-result='{result}']").wait_for()


@pytest.fixture
def door(staff_page, tonight, reserve):
    """A door page (Chromium's own fake camera: no QR code in view) and two tickets."""
    _, tickets = reserve(tonight, 2)
    page = staff_page(width=360)
    page.goto(door_url(tonight))
    return page, tickets


def test_a_scan_whose_request_fails_is_retried_and_checks_in_once(door, tonight):
    page, (ticket, _) = door
    calls = []

    def fail_once(route):
        calls.append(route.request.post_data_json["scan_id"])
        if len(calls) == 1:
            route.abort("connectionfailed")
        else:
            route.continue_()

    page.route(f"**{reverse('admin:staff_doormode_scan', args=[tonight.pk])}", fail_once)
    type_code(page, ticket.code)
    page.locator("#result[data-result='queued']").wait_for()
    assert "Saved, not checked yet" in overlay(page)["text"]
    wait_for_result(page, ticket.code, "valid")
    assert overlay(page)["result"] == "valid"  # answered within seconds: full screen
    assert len(calls) == 2 and calls[0] == calls[1]  # the same scan id, sent again
    assert checked_in_at(ticket) is not None
    assert DoorScan.objects.filter(code=ticket.code).count() == 1
    assert queue_length(page) == 0
    assert page.locator("#queue").inner_text() == ""


def test_a_retry_of_a_scan_that_checked_in_but_lost_its_answer_shows_valid(door, tonight):
    """The server checked the ticket in, the answer never came back: the retry (same
    scan id) is answered "valid", not "already checked in", and nothing happens twice."""
    page, (ticket, _) = door
    calls = []

    def lose_first_answer(route):
        calls.append(route.request.post_data_json["scan_id"])
        if len(calls) == 1:
            response = route.fetch()  # the server does its work…
            assert response.json()["result"] == "valid"
            route.abort("connectionreset")  # …and the answer is lost on the way back
        else:
            route.continue_()

    page.route(f"**{reverse('admin:staff_doormode_scan', args=[tonight.pk])}",
               lose_first_answer)
    type_code(page, ticket.code)
    page.locator("#result[data-result='queued']").wait_for()
    first_at = checked_in_at(ticket)
    assert first_at is not None  # checked in by the first request
    wait_for_result(page, ticket.code, "valid")
    assert overlay(page)["text"].startswith("Valid")
    assert len(calls) == 2 and calls[0] == calls[1]
    assert checked_in_at(ticket) == first_at
    scan = DoorScan.objects.get(code=ticket.code)
    assert (scan.result, scan.at) == (ScanResult.VALID, first_at)
    assert queue_length(page) == 0


def test_a_server_error_is_retried(door, tonight):
    page, (ticket, _) = door
    calls = []

    def error_once(route):
        calls.append(1)
        if len(calls) == 1:
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")
        else:
            route.continue_()

    page.route(f"**{reverse('admin:staff_doormode_scan', args=[tonight.pk])}", error_once)
    type_code(page, ticket.code)
    wait_for_result(page, ticket.code, "valid")
    assert len(calls) == 2
    assert DoorScan.objects.get(code=ticket.code).result == ScanResult.VALID


def test_scans_made_offline_are_kept_and_sent_when_back_online(door):
    page, (first, second) = door
    page.context.set_offline(True)
    type_code(page, first.code)
    page.locator("#result[data-result='queued']").wait_for()
    page.keyboard.press("Escape")
    type_code(page, second.code)
    page.locator("#queue").get_by_text("2 scans waiting to be sent").wait_for()
    assert queue_length(page) == 2
    assert checked_in_at(first) is None and checked_in_at(second) is None
    page.context.set_offline(False)
    wait_for_result(page, first.code, "valid")
    wait_for_result(page, second.code, "valid")
    assert queue_length(page) == 0
    assert page.locator("#checked-in").inner_text() == "2"
    assert checked_in_at(first) is not None and checked_in_at(second) is not None
    assert DoorScan.objects.filter(result=ScanResult.VALID).count() == 2


def test_a_queued_scan_survives_the_page_and_is_sent_by_the_next(door, tonight, staff_page):
    page, (ticket, _) = door
    scans = f"**{reverse('admin:staff_doormode_scan', args=[tonight.pk])}"
    page.route(scans, lambda route: route.abort("connectionfailed"))
    type_code(page, ticket.code)
    page.locator("#queue").get_by_text("1 scan waiting to be sent").wait_for()
    page.unroute(scans)
    context = page.context
    page.close()  # the usher's phone locks, the tab is thrown away…
    assert checked_in_at(ticket) is None
    again = context.new_page()  # …and door mode is opened again (same storage)
    again.goto(door_url(tonight))
    wait_for_result(again, ticket.code, "valid")
    assert again.locator("#announcer").inner_text().startswith(f"Earlier scan {ticket.code}")
    assert checked_in_at(ticket) is not None
    assert queue_length(again) == 0


def test_signed_out_scans_wait_for_a_new_sign_in(door, tonight, live_server, staff_user):
    from .browser import sign_in

    page, (ticket, _) = door
    page.context.clear_cookies()
    type_code(page, ticket.code)
    page.locator("#queue").get_by_text("you are signed out").wait_for()
    assert page.locator("#queue a").get_attribute("href").startswith(
        reverse("admin:login") + "?next=")
    assert checked_in_at(ticket) is None and queue_length(page) == 1
    sign_in(page.context, live_server.url, staff_user)
    page.reload()  # the new page's CSRF token sends it
    wait_for_result(page, ticket.code, "valid")
    assert checked_in_at(ticket) is not None


def test_typing_codes_and_the_answers_on_screen(door, tonight, make_performance, reserve):
    page, (ticket, _) = door
    order, (cancelled,) = reserve(tonight)
    from tickets.services import order_cancel
    order_cancel(order_id=order.pk)
    type_code(page, ticket.code.lower())  # typed in lower case: still the ticket
    wait_for_result(page, ticket.code, "valid")
    assert page.locator("#announcer").inner_text() == "Valid. Full price · 1 of 2 on this order"
    assert page.evaluate("document.activeElement.id") == "code"  # ready for the next
    page.keyboard.press("Escape")
    assert overlay(page)["hidden"]
    type_code(page, cancelled.code)
    wait_for_result(page, cancelled.code, "cancelled")
    assert overlay(page)["text"].startswith("Cancelled order")
    page.keyboard.press("Escape")
    type_code(page, "NOSUCHCODE")
    wait_for_result(page, "NOSUCHCODE", "unknown")
    assert overlay(page)["text"].startswith("Unknown code")
    assert_accessible(page, "door mode with a red answer on screen")
    page.keyboard.press("Escape")
    assert_accessible(page, "door mode")
    # Every control, in reading order, with the keyboard alone.
    page.get_by_role("link", name="Performances").focus()
    reached = ["Performances"]
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || "
                                     "document.activeElement.textContent.trim()"))
    assert reached == ["Performances", "camera-toggle", "code", "Check in", "sound"]
    page.keyboard.press("Enter")  # sound and vibration off
    assert page.get_attribute("#sound", "aria-pressed") == "false"


def test_the_picker_at_360_px(staff_page, tonight):
    page = staff_page(width=360)
    page.goto(reverse("admin:staff_doormode_changelist"))
    page.get_by_role("link", name=tonight.show.title).click()
    page.wait_for_url(f"**{door_url(tonight)}")
    page.go_back()
    assert_accessible(page, "the performance picker")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
