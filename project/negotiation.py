"""Content negotiation: an empty `Accept` header means "anything" (RFC 9110 §12.5.1).

DRF's default reads `Accept:` with no value as a list of one empty media type that matches
no renderer, and answers 406 — to a client that said it takes anything.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request


class EmptyAcceptMeansAny(DefaultContentNegotiation):
    def get_accept_list(self, request: Request) -> list[str]:
        accepted = super().get_accept_list(request)
        return [token for token in accepted if token] or ["*/*"]
