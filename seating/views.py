"""Public seat-map API: a layout, static and cached for long (a sold layout is frozen;
changing it makes a copy with a new id)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from project.schema import PROBLEM_RESPONSES

from . import errors, selectors
from .serializers import LayoutSerializer

LAYOUT_MAX_AGE = 86_400  # a day: seats of a layout in use do not change


class LayoutApi(GenericAPIView):
    serializer_class = LayoutSerializer

    @extend_schema(operation_id="layouts_retrieve",
                   responses={200: LayoutSerializer, **PROBLEM_RESPONSES})
    def get(self, request: Request, layout_id: int) -> Response:
        body = selectors.layout_body(layout_id=layout_id)
        if body is None:
            raise errors.LayoutNotFound()
        return Response(body, headers={"Cache-Control": f"public, max-age={LAYOUT_MAX_AGE}"})
