"""JSON parsing that turns every kind of bad body into a 400, never a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's parser, plus: JSON nested deeper than Python's recursion limit is a
    RecursionError, not a ValueError, and DRF would let it become a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
