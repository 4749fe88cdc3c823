"""The signed-in customer's language: read it, choose it (emails follow the choice)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.auth import CognitoAccessTokenAuthentication
from project.schema import problems
from project.throttling import UserRateThrottle

from . import selectors, services
from .serializers import CustomerLanguageSerializer


class CustomerLanguageApi(GenericAPIView):
    authentication_classes = [CognitoAccessTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle]
    serializer_class = CustomerLanguageSerializer

    def get_object(self):
        # What OPTIONS describes for PUT (DRF's metadata): the customer's own setting.
        return self.request.user

    @extend_schema(operation_id="me_language_retrieve",
                   responses={200: CustomerLanguageSerializer, **problems(401, 429)})
    def get(self, request: Request) -> Response:
        return Response({"language": selectors.customer_language(
            customer_id=request.user.pk)})

    @extend_schema(operation_id="me_language_update", request=CustomerLanguageSerializer,
                   responses={200: CustomerLanguageSerializer,
                              **problems(400, 401, 422, 429)})
    def put(self, request: Request) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        chosen = services.customer_language_set(customer=request.user,
                                                language=body.validated_data["language"])
        return Response({"language": chosen.language})
