"""Public, anonymous API of shows and performances: thin views over cached selectors."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from project.schema import PROBLEM_RESPONSES

from . import cache, errors, selectors
from .models import Show
from .serializers import (
    PerformanceDetailSerializer,
    ShowDetailSerializer,
    ShowFilterSerializer,
    ShowListItemSerializer,
)

SLUG_MAX_LENGTH = Show._meta.get_field("slug").max_length


class ShowListApi(GenericAPIView):
    serializer_class = ShowListItemSerializer

    @extend_schema(
        operation_id="shows_list",
        parameters=[ShowFilterSerializer],
        responses={200: ShowListItemSerializer(many=True), **PROBLEM_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: an empty `to=` is an invalid date, not "omitted".
        filters = ShowFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        # The page's `next`/`previous` links are absolute: the same query seen through
        # another host or script prefix (stage URL, CloudFront) is another page.
        key = cache.list_key({**dict(request.query_params.lists()),
                              "_url": request.build_absolute_uri(request.path)})

        def compute():
            page = self.paginate_queryset(selectors.show_list(**filters.validated_data))
            return self.get_paginated_response(self.get_serializer(page, many=True).data).data

        return Response(cache.read_through(key, compute, cache.LIST_TTL))


class ShowDetailApi(GenericAPIView):
    serializer_class = ShowDetailSerializer

    @extend_schema(operation_id="shows_retrieve",
                   responses={200: ShowDetailSerializer, **PROBLEM_RESPONSES})
    def get(self, request: Request, slug: str) -> Response:
        if len(slug) > SLUG_MAX_LENGTH:  # cannot exist; and keeps cache keys short
            raise errors.ShowNotFound()

        def compute():
            show = selectors.show_get(slug=slug)
            return None if show is None else ShowDetailSerializer(
                show, context={"now": timezone.now()}).data

        data = cache.read_through(cache.show_key(slug), compute, cache.DETAIL_TTL)
        if data is None:
            raise errors.ShowNotFound()
        return Response(data)


class PerformanceDetailApi(GenericAPIView):
    serializer_class = PerformanceDetailSerializer

    @extend_schema(operation_id="performances_retrieve",
                   responses={200: PerformanceDetailSerializer, **PROBLEM_RESPONSES})
    def get(self, request: Request, performance_id: int) -> Response:
        def compute():
            performance = selectors.performance_get(performance_id=performance_id)
            return None if performance is None else PerformanceDetailSerializer(
                performance, context={"now": timezone.now()}).data

        data = cache.read_through(cache.performance_key(performance_id), compute,
                                  cache.DETAIL_TTL)
        if data is None:
            raise errors.PerformanceNotFound()
        return Response(data)
