"""Markdown to safe HTML for info pages: rendered, then sanitized with nh3 (ammonia).

Staff write Markdown and may paste HTML; whatever they write, the output has no script,
no event handler attribute, no style, and only http(s)/mailto/tel links.
"""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li",
                "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(source: str) -> str:
    html = markdown.markdown(source, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")
