"""The waiting room of an announced on-sale: join it, see your place, get your admission."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.auth import CognitoAccessTokenAuthentication
from project.schema import problems
from project.throttling import UserRateThrottle

from . import services
from .serializers import StandingSerializer


class WaitingRoomApi(GenericAPIView):
    authentication_classes = [CognitoAccessTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle]
    serializer_class = StandingSerializer

    @extend_schema(operation_id="waiting_room_retrieve",
                   responses={200: StandingSerializer, **problems(401, 404, 429)})
    def get(self, request: Request, performance_id: int) -> Response:
        """Where the visitor stands: position and estimate, or their admission."""
        standing = services.room_standing(user=request.user, performance_id=performance_id)
        return Response(self.get_serializer(standing).data)

    @extend_schema(operation_id="waiting_room_join", request=None,
                   responses={200: StandingSerializer, **problems(401, 404, 429)})
    def post(self, request: Request, performance_id: int) -> Response:
        """Join the waiting room (again: the same place), first come, first served. While
        the room is off, or fewer arrive than it admits, the admission comes at once."""
        standing = services.room_join(user=request.user, performance_id=performance_id)
        return Response(self.get_serializer(standing).data)
