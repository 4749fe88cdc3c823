"""Previews of codes: what a voucher does for a performance, a gift card's balance.

Both are lookups an attacker could use to guess codes: each is counted per address and per
customer (guessing.py) before the code is read."""

from __future__ import annotations

import uuid

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from payments.serializers import PayInputSerializer
from project.auth import CognitoAccessTokenAuthentication
from project.schema import problems
from project.throttling import AnonRateThrottle, UserRateThrottle
from shows.selectors import performance_for_sale

from . import checkout, errors, services
from .guessing import code_lookup, codes_watched
from .models import GiftCardPurchase
from .pricing import seat_discount
from .serializers import (
    GiftCardBalanceSerializer,
    PreviewQuerySerializer,
    PurchaseInputSerializer,
    PurchaseSerializer,
    VoucherPreviewSerializer,
    purchase_body,
)


class VoucherPreviewApi(GenericAPIView):
    authentication_classes = [CognitoAccessTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    serializer_class = VoucherPreviewSerializer

    @extend_schema(operation_id="vouchers_preview",
                   parameters=[PreviewQuerySerializer],
                   responses={200: VoucherPreviewSerializer,
                              **problems(400, 404, 409, 422, 429)})
    def get(self, request: Request, code: str) -> Response:
        """What a voucher does for one performance: its categories' discounts, and the
        hidden categories it reveals."""
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code_lookup(request)
        performance = performance_for_sale(performance_id=query.validated_data["performance"])
        if performance is None:
            raise errors.VoucherNotApplicable(_("No such performance."))
        with codes_watched(request, count=False):
            use = checkout.voucher_for(code=code, performance=performance, now=timezone.now())
        voucher = use.voucher
        seats_left = performance.seats_left
        categories = [{"id": c.pk, "name": c.translated("name"),
                       "description": c.translated("description"),
                       "price_cents": c.price_cents,
                       "discount_cents": seat_discount(voucher, c.price_cents)
                       if use.scope is None or c.pk in use.scope else 0,
                       "hidden": c.hidden, "max_per_order": c.max_per_order,
                       "seats_left": c.seats_left(seats_left)}
                      for c in performance.sale_categories
                      if not c.hidden or use.reveals(c)]
        return Response(self.get_serializer({
            "code": voucher.code, "kind": voucher.kind, "value": voucher.value,
            "performance": performance.pk, "categories": categories,
            "uses_left": voucher.uses_left, "max_per_order": voucher.max_per_order}).data)


class GiftCardBalanceApi(GenericAPIView):
    authentication_classes = [CognitoAccessTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle]
    serializer_class = GiftCardBalanceSerializer

    @extend_schema(operation_id="gift_cards_balance",
                   responses={200: GiftCardBalanceSerializer, **problems(401, 409, 429)})
    def get(self, request: Request, code: str) -> Response:
        """A gift card's balance (signed-in customers)."""
        code_lookup(request)
        with codes_watched(request, count=False):
            card = checkout.gift_card_by_code_valid(code=code, now=timezone.now())
        return Response(self.get_serializer(card).data)


class SignedInApi(GenericAPIView):
    authentication_classes = [CognitoAccessTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle]
    serializer_class = PurchaseSerializer


class GiftCardPurchaseApi(SignedInApi):
    @extend_schema(operation_id="gift_cards_buy", request=PurchaseInputSerializer,
                   responses={201: PurchaseSerializer,
                              **problems(400, 401, 413, 422, 429, 503)})
    def post(self, request: Request) -> Response:
        """Buy a gift card: a purchase with its card payment to complete (`/pay/`); the
        code is emailed to the recipient (or the buyer) once paid."""
        payload = PurchaseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        purchase = services.gift_card_purchase_start(user=request.user,
                                                     **payload.validated_data)
        return Response(purchase_body(purchase), status=201)


class GiftCardPurchaseDetailApi(SignedInApi):
    @extend_schema(operation_id="gift_cards_purchase",
                   responses={200: PurchaseSerializer, **problems(401, 404, 429)})
    def get(self, request: Request, purchase_id: uuid.UUID) -> Response:
        purchase = (GiftCardPurchase.objects.select_related("payment")
                    .filter(pk=purchase_id, buyer=request.user).first())
        if purchase is None:
            raise errors.PurchaseNotFound()
        return Response(purchase_body(purchase))


class GiftCardPurchasePayApi(SignedInApi):
    @extend_schema(operation_id="gift_cards_pay", request=PayInputSerializer,
                   responses={200: PurchaseSerializer,
                              **problems(400, 401, 402, 404, 409, 422, 429, 503)})
    def post(self, request: Request, purchase_id: uuid.UUID) -> Response:
        payload = PayInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        purchase = services.gift_card_purchase_pay(
            user=request.user, purchase_id=purchase_id,
            payment_method=payload.validated_data["payment_method"])
        return Response(purchase_body(purchase))
