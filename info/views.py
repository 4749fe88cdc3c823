"""Public API of info pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from project.schema import PROBLEM_RESPONSES

from . import errors, selectors
from .serializers import InfoPageDetailSerializer, InfoPageListItemSerializer


class InfoPageListApi(GenericAPIView):
    serializer_class = InfoPageListItemSerializer

    @extend_schema(operation_id="info_list",
                   responses={200: InfoPageListItemSerializer(many=True), **PROBLEM_RESPONSES})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.page_list())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class InfoPageDetailApi(GenericAPIView):
    serializer_class = InfoPageDetailSerializer

    @extend_schema(operation_id="info_retrieve",
                   responses={200: InfoPageDetailSerializer, **PROBLEM_RESPONSES})
    def get(self, request: Request, slug: str) -> Response:
        page = selectors.page_get(slug=slug)
        if page is None:
            raise errors.PageNotFound()
        return Response(self.get_serializer(page).data)
