"""The signed-in user's API: reserve, pay, list, show, cancel orders; ticket QR codes; /me."""

from __future__ import annotations

import re
import uuid

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from payments.serializers import PayInputSerializer
from project.auth import CognitoAccessTokenAuthentication
from project.schema import problems
from project.throttling import ReservationRateThrottle, UserRateThrottle
from vouchers.guessing import code_guard, codes_watched

from . import errors, holds, printouts, qr, seating, selectors, services, waitlist
from .idempotency import Replay, request_fingerprint
from .serializers import (
    MeSerializer,
    OrderSerializer,
    PerformanceSeatsSerializer,
    ReservationInputSerializer,
    ReservationRequestSchema,
    WaitlistEntrySerializer,
    WaitlistJoinSerializer,
    order_body,
    with_payment,
)

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # 1 to 255 printable ASCII characters

AdmissionHeader = OpenApiParameter(
    "Admission", str, OpenApiParameter.HEADER, required=False,
    description="The waiting room's admission (POST /performances/{id}/waiting-room/), "
                "required while the performance's room is on: 403 admission_required, "
                "admission_invalid or admission_expired otherwise.")

IdempotencyKeyHeader = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    pattern=IDEMPOTENCY_KEY.pattern,
    description="Makes a retry safe: the same key and body return the first response.")


class SignedInApi(GenericAPIView):
    authentication_classes = [CognitoAccessTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle]


class OrderListApi(SignedInApi):
    serializer_class = OrderSerializer

    def get_throttles(self):
        if self.request.method == "POST":
            return [ReservationRateThrottle(), *super().get_throttles()]
        return super().get_throttles()

    @extend_schema(operation_id="tickets_list",
                   responses={200: OrderSerializer(many=True), **problems(401, 404, 429)})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.order_list_for_user(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(operation_id="tickets_create", request=ReservationRequestSchema,
                   parameters=[IdempotencyKeyHeader, AdmissionHeader],
                   responses={201: OrderSerializer,
                              **problems(400, 401, 403, 404, 409, 413, 422, 429, 503)})
    def post(self, request: Request) -> Response:
        """Reserve seats: a confirmed order for a free performance; for a paid one a hold
        (`pending` until `expires_at`, `payment` null) that the payment step
        (`POST /tickets/{id}/payment/`) prepares for the browser to complete."""
        payload = ReservationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        idempotency = None
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            if not IDEMPOTENCY_KEY.match(key):
                raise errors.InvalidIdempotencyKey()
            idempotency = services.Idempotency(
                key=key, fingerprint=request_fingerprint(
                    {k: v for k, v in data.items() if v is not False}),
                render=lambda order, tickets: (201, order_body(order, tickets)))
        try:
            lines = [services.LineRequest(category_id=line["category"],
                                          quantity=line["quantity"])
                     for line in data["lines"]] if "lines" in data else None
            codes = None
            if data.get("voucher") or data.get("gift_card"):
                code_guard(request)  # 429 while this address or customer guessed too many
                codes = services.CodesRequest(voucher=data.get("voucher") or None,
                                              gift_card=data.get("gift_card") or None)
            with codes_watched(request):
                order = services.order_reserve(
                    user=request.user, performance_id=data["performance"], lines=lines,
                    quantity=data.get("quantity"), idempotency=idempotency, codes=codes,
                    admission=request.headers.get("Admission"), seats=data.get("seats"),
                    best_available=data["best_available"], split=data["split"],
                    wheelchair=data["wheelchair"])
        except Replay as replay:
            body = replay.body
            if body.get("status") == "pending" and body.get("payment") is None:
                payment = selectors.payment_of_order(order_id=body["id"])
                if payment is not None:  # made at the payment step since
                    body = with_payment(body, payment)
            return Response(body, status=replay.status_code,
                            headers={"Idempotent-Replayed": "true"})
        # Rendered from the order in memory, as OrderSerializer would (the schema's).
        return Response(order_body(order), status=201)


class OrderDetailApi(SignedInApi):
    serializer_class = OrderSerializer

    @extend_schema(operation_id="tickets_retrieve",
                   responses={200: OrderSerializer, **problems(401, 404, 429)})
    def get(self, request: Request, order_id: uuid.UUID) -> Response:
        order = selectors.order_get_for_user(user=request.user, order_id=order_id)
        if order is None:
            raise errors.OrderNotFound()
        # A pending order asks Stripe how its payment went (webhooks can be lost or late).
        if holds.order_reconcile(order=order):
            order = selectors.order_get_for_user(user=request.user, order_id=order_id)
        return Response(self.get_serializer(order).data)


class OrderPaymentApi(SignedInApi):
    serializer_class = OrderSerializer

    @extend_schema(operation_id="tickets_payment", request=None,
                   responses={200: OrderSerializer, **problems(401, 404, 409, 429, 503)})
    def post(self, request: Request, order_id: uuid.UUID) -> Response:
        """The payment step: the held order with its `payment` (client secrets for
        stripe.js), made now if it has none. Idempotent: a reload or a retry gets the same
        payment. 503 `payment_unavailable` (Retry-After): Stripe could not be reached in
        time; the seats are still held, try again. 409 `hold_expired`: the hold ended."""
        holds.order_payment_prepare(user=request.user, order_id=order_id)
        order = selectors.order_get_for_user(user=request.user, order_id=order_id)
        return Response(self.get_serializer(order).data)


class OrderPayApi(SignedInApi):
    serializer_class = OrderSerializer

    @extend_schema(operation_id="tickets_pay", request=PayInputSerializer,
                   responses={200: OrderSerializer,
                              **problems(400, 401, 402, 404, 409, 422, 429, 503)})
    def post(self, request: Request, order_id: uuid.UUID) -> Response:
        payload = PayInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = services.order_pay(user=request.user, order_id=order_id,
                                   payment_method=payload.validated_data["payment_method"])
        return Response(self.get_serializer(order).data)


class OrderCancelApi(SignedInApi):
    serializer_class = OrderSerializer

    @extend_schema(operation_id="tickets_cancel", request=None,
                   responses={200: OrderSerializer, **problems(401, 404, 409, 429, 503)})
    def post(self, request: Request, order_id: uuid.UUID) -> Response:
        services.order_cancel(order_id=order_id, user=request.user)
        order = selectors.order_get_for_user(user=request.user, order_id=order_id)
        return Response(self.get_serializer(order).data)


class TicketQrApi(SignedInApi):
    @extend_schema(operation_id="tickets_qr",
                   responses={(200, "image/svg+xml"): OpenApiTypes.STR,
                              **problems(401, 404, 429)})
    def get(self, request: Request, order_id: uuid.UUID, code: str) -> HttpResponse:
        ticket = selectors.ticket_get_for_user(user=request.user, order_id=order_id, code=code)
        if ticket is None:
            raise errors.TicketNotFound()
        response = HttpResponse(qr.ticket_svg(ticket.code), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class OrderTicketsPdfApi(SignedInApi):
    @extend_schema(operation_id="tickets_pdf",
                   parameters=[OpenApiParameter("layout", str, enum=sorted(printouts.LAYOUTS),
                                                default="a4",
                                                description="a4: print at home; thermal: "
                                                            "an 80 mm ticket printer.")],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              **problems(401, 404, 409, 422, 429)})
    def get(self, request: Request, order_id: uuid.UUID) -> HttpResponse:
        """The order's tickets as a PDF, one ticket per page (confirmed orders only)."""
        layout = request.query_params.get("layout", "a4")
        if layout not in printouts.LAYOUTS:
            raise errors.InvalidLayout()
        order = selectors.order_get_for_user(user=request.user, order_id=order_id)
        if order is None:
            raise errors.OrderNotFound()
        if order.status not in printouts.PRINTABLE:
            raise errors.OrderNotPrintable()
        response = HttpResponse(printouts.order_tickets_pdf(order=order, layout=layout),
                                content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="marquee-tickets-{str(order.pk)[:8]}-{layout}.pdf"')
        response["Cache-Control"] = "private, no-store"
        return response


class MeApi(SignedInApi):
    serializer_class = MeSerializer

    @extend_schema(operation_id="me", responses={200: MeSerializer, **problems(401, 429)})
    def get(self, request: Request) -> Response:
        return Response({"sub": request.user.get_username(), "email": request.user.email})


class PerformanceWaitlistApi(SignedInApi):
    """The signed-in customer's place on one performance's waiting list."""

    serializer_class = WaitlistEntrySerializer

    @extend_schema(operation_id="waitlist_retrieve",
                   responses={200: WaitlistEntrySerializer, **problems(401, 404, 429)})
    def get(self, request: Request, performance_id: int) -> Response:
        entry = selectors.waitlist_entry_for_user(user=request.user,
                                                  performance_id=performance_id)
        if entry is None:
            raise errors.NotWaiting()
        return Response(self.get_serializer(entry).data)

    @extend_schema(operation_id="waitlist_join", request=WaitlistJoinSerializer,
                   responses={201: WaitlistEntrySerializer,
                              **problems(400, 401, 404, 409, 422, 429)})
    def post(self, request: Request, performance_id: int) -> Response:
        """Join the waiting list of a sold-out performance."""
        payload = WaitlistJoinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        waitlist.waitlist_join(user=request.user, performance_id=performance_id,
                               **payload.validated_data)
        entry = selectors.waitlist_entry_for_user(user=request.user,
                                                  performance_id=performance_id)
        return Response(self.get_serializer(entry).data, status=201)

    @extend_schema(operation_id="waitlist_leave", request=None,
                   responses={204: None, **problems(401, 404, 409, 429, 503)})
    def delete(self, request: Request, performance_id: int) -> Response:
        """Leave the list (an offer being held is declined: it goes to the next)."""
        waitlist.waitlist_leave(user=request.user, performance_id=performance_id)
        return Response(status=204)


class MyWaitlistApi(SignedInApi):
    serializer_class = WaitlistEntrySerializer
    pagination_class = None

    @extend_schema(operation_id="waitlist_list",
                   responses={200: WaitlistEntrySerializer(many=True), **problems(401, 429)})
    def get(self, request: Request) -> Response:
        """The waiting lists the customer is on (waiting, or holding an offer)."""
        entries = selectors.waitlist_entries_for_user(user=request.user)
        return Response(self.get_serializer(entries, many=True).data)


class PerformanceSeatsApi(GenericAPIView):
    """Public: which seats of a seated performance are taken, and the zones' prices."""

    serializer_class = PerformanceSeatsSerializer

    @extend_schema(operation_id="performance_seats",
                   responses={200: PerformanceSeatsSerializer, **problems(404, 429)})
    def get(self, request: Request, performance_id: int) -> Response:
        body = seating.performance_seats(performance_id=performance_id)
        if body is None:
            raise errors.PerformanceNotFound("No seated performance has this id.")
        # Cache-Control: the public short edge lifetime (project.cache_headers), like every
        # public GET: an on-sale rush reads availability from the edge, a few seconds old.
        return Response(body)
