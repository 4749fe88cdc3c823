"""Public, anonymous API of shows and performances: thin views over cached selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from project.errors import DomainError
from project.schema import PROBLEM_RESPONSES
from project.throttling import admit_anonymous

from . import cache, errors, selectors
from .models import Show
from .serializers import (
    PerformanceDetailSerializer,
    ShowDetailSerializer,
    ShowFilterSerializer,
    ShowListItemSerializer,
)

SLUG_MAX_LENGTH = Show._meta.get_field("slug").max_length
JSON = JSONRenderer.media_type
JSON_RANGES = frozenset({JSON, "application/*", "*/*"})


# A public page kept in the cache (shows.cache) as the JSON the API answers.
#
# The box office's hot read: an anonymous GET of a cached page is answered before DRF
# runs, with one Redis round trip that decides the view's throttles and fetches the page
# (project.throttling.admit_anonymous), and the stored bytes as the body. Anything else
# goes through DRF as before — a page to compute, a refusal (429), a cached "not found",
# a client that asks for something other than JSON or for `?format=` — with the throttle
# decision handed on, so the request is counted once. Both ways answer the same bytes
# and headers (shows/tests/test_cached_pages.py).
# (A comment, not a docstring: drf-spectacular would publish it.)
class CachedPageApi(GenericAPIView):
    ttl: int
    not_found: type[DomainError]
    _page_read: tuple[str, dict[str, Any]] | None = None  # (key, what the fast path read)

    def page_key(self, request: HttpRequest, **kwargs: Any) -> str | None:
        """The page's cache key; None: no such page can exist."""
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        page = self._cached_page(request, kwargs) if request.method == "GET" else None
        if page is not None:
            return page
        return super().dispatch(request, *args, **kwargs)

    def _cached_page(self, request: HttpRequest, kwargs: dict[str, Any]) -> HttpResponse | None:
        if (self.authentication_classes or self.renderer_classes != [JSONRenderer]
                or not _wants_json(request)):
            return None  # authenticated, or DRF's negotiation could choose another body
        key = self.page_key(request, **kwargs)
        if key is None:
            return None
        decided = admit_anonymous(request, self.get_throttles(), read=cache.page_keys(key))
        if decided is None or not decided[0]:
            return None
        page = cache.current(decided[1], key)
        if page is cache.MISS or page is None:
            self._page_read = key, decided[1]  # DRF's way need not read it again
            return None
        return self._respond(page)

    def cached_response(self, key: str, compute: Callable[[], Any]) -> HttpResponse:
        """The page under `key`, computed by `compute` (its data, or None: not found) and
        kept for `ttl` seconds when the cache has no current one."""
        read = self._page_read
        page = cache.read_through(key, lambda: _render(compute()), self.ttl,
                                  found=read[1] if read and read[0] == key else None)
        if page is None:
            raise self.not_found()
        return self._respond(page)

    def _respond(self, page: bytes) -> HttpResponse:
        response = HttpResponse(page, content_type=JSON)
        for header, value in self.default_response_headers.items():
            response[header] = value  # what DRF's finalize_response adds
        return response


def _render(data: Any) -> bytes | None:
    return None if data is None else JSONRenderer().render(data)


def _wants_json(request: HttpRequest) -> bool:
    """JSON is what DRF's negotiation would choose (JSONRenderer is the only renderer),
    judged simply: plain media ranges that include it, no `?format=`. Anything subtler
    (quality values, other types) is left to DRF."""
    accept = request.META.get("HTTP_ACCEPT", "*/*")
    return ("format" not in request.GET and ";" not in accept
            and any(media.strip() in JSON_RANGES for media in accept.split(",")))


class ShowListApi(CachedPageApi):
    serializer_class = ShowListItemSerializer
    ttl = cache.LIST_TTL
    not_found = errors.ShowNotFound

    def page_key(self, request: HttpRequest, **kwargs: Any) -> str:
        # The page's `next`/`previous` links are absolute: the same query seen through
        # another host or script prefix (stage URL, CloudFront) is another page.
        return cache.list_key({**dict(request.GET.lists()),
                               "_url": request.build_absolute_uri(request.path)})

    @extend_schema(
        operation_id="shows_list",
        parameters=[ShowFilterSerializer],
        responses={200: ShowListItemSerializer(many=True), **PROBLEM_RESPONSES},
    )
    def get(self, request: Request) -> HttpResponse:
        # A plain dict, not the QueryDict: an empty `to=` is an invalid date, not "omitted".
        filters = ShowFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)

        def compute():
            page = self.paginate_queryset(selectors.show_list(**filters.validated_data))
            return self.get_paginated_response(self.get_serializer(page, many=True).data).data

        return self.cached_response(self.page_key(request), compute)


class ShowDetailApi(CachedPageApi):
    serializer_class = ShowDetailSerializer
    ttl = cache.DETAIL_TTL
    not_found = errors.ShowNotFound

    def page_key(self, request: HttpRequest, **kwargs: Any) -> str | None:
        slug = kwargs["slug"]
        return cache.show_key(slug) if len(slug) <= SLUG_MAX_LENGTH else None

    @extend_schema(operation_id="shows_retrieve",
                   responses={200: ShowDetailSerializer, **PROBLEM_RESPONSES})
    def get(self, request: Request, slug: str) -> HttpResponse:
        key = self.page_key(request, slug=slug)
        if key is None:  # cannot exist; and keeps cache keys short
            raise errors.ShowNotFound()

        def compute():
            show = selectors.show_get(slug=slug)
            return None if show is None else ShowDetailSerializer(
                show, context={"now": timezone.now()}).data

        return self.cached_response(key, compute)


class PerformanceDetailApi(CachedPageApi):
    serializer_class = PerformanceDetailSerializer
    ttl = cache.DETAIL_TTL
    not_found = errors.PerformanceNotFound

    def page_key(self, request: HttpRequest, **kwargs: Any) -> str:
        return cache.performance_key(kwargs["performance_id"])

    @extend_schema(operation_id="performances_retrieve",
                   responses={200: PerformanceDetailSerializer, **PROBLEM_RESPONSES})
    def get(self, request: Request, performance_id: int) -> HttpResponse:
        def compute():
            performance = selectors.performance_get(performance_id=performance_id)
            return None if performance is None else PerformanceDetailSerializer(
                performance, context={"now": timezone.now()}).data

        return self.cached_response(self.page_key(request, performance_id=performance_id),
                                    compute)
