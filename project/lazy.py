"""Views imported on first use, to keep rarely used heavy modules off the cold start."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse


def lazy_view(dotted_path: str, **initkwargs: Any) -> Callable[..., HttpResponse]:
    """`path("x/", lazy_view("pkg.views.SomeView"))`: imported when first requested."""
    view: Callable[..., HttpResponse] | None = None

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        nonlocal view
        if view is None:
            module_name, name = dotted_path.rsplit(".", 1)
            view = getattr(importlib.import_module(module_name), name).as_view(**initkwargs)
        return view(request, *args, **kwargs)

    wrapper.csrf_exempt = True  # the wrapped API views are exempt themselves
    return wrapper
