"""The floors of the HTTP benchmark: bare Django views behind the same server, settings and
middleware as the API, without DRF, authentication or throttles.

`reserve` runs the reservation statement of POST /api/v1/tickets/ — it calls
tickets.reservation_sql.write_reservation with the arguments tickets.services.order_reserve
gives it for a free performance, `email_id` included (the statement then also writes the
confirmation email's row, as the API's does) — and nothing else: no read of the
performance or the customer (the client sends what they would give), no cache
invalidation, no hand-over of the email after commit.
`plain` returns a fixed JSON body: the floor of a cached read.
"""

from __future__ import annotations

import json
import uuid

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from shows.models import Performance
from tickets.models import Order, OrderLine, OrderStatus, Ticket
from tickets.reservation_sql import write_reservation


@csrf_exempt  # as the API's token-authenticated views are
@require_POST
def reserve(request: HttpRequest) -> JsonResponse:
    """Body: {"performance", "customer", "quantity", "category", "price_cents", "currency"}."""
    data = json.loads(request.body)
    now = timezone.now()
    performance = Performance(pk=data["performance"], price_cents=data["price_cents"],
                              currency=data["currency"])
    order = Order(id=uuid.uuid4(), customer_id=data["customer"], performance=performance,
                  quantity=data["quantity"], currency=data["currency"],
                  total_cents=data["price_cents"] * data["quantity"],
                  status=OrderStatus.CONFIRMED, created_at=now, updated_at=now)
    order.confirmed_at = now  # a free order is confirmed at once (issue 12's lifecycle)
    lines = [OrderLine(order=order, category_id=data["category"], quantity=order.quantity,
                       unit_price_cents=data["price_cents"])]
    tickets = [Ticket(order=order, category_id=data["category"])
               for _ in range(order.quantity)]
    # A confirmed order's confirmation email is written by the same statement, with a fresh
    # id, as order_reserve does for a free order.
    failure = write_reservation(order=order, lines=lines, tickets=tickets, now=now, key=None,
                                email_id=uuid.uuid4())
    if failure is not None:
        return JsonResponse({"failure": failure.value}, status=409)
    return JsonResponse({"id": str(order.id), "tickets": [t.code for t in tickets]},
                        status=201)


@require_GET
def plain(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
