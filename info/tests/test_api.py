import pytest
from django.core.files.base import ContentFile

from info.models import Attachment, InfoPage

pytestmark = pytest.mark.django_db

EVIL = """Welcome!

<script>alert('x')</script>
<img src=x onerror="alert(1)">
<a href="javascript:alert(2)">click</a> <a href="https://example.com" onclick="steal()">ok</a>
<iframe src="https://evil.example"></iframe><style>body{display:none}</style>
[md link](javascript:alert(3)) and <SCRIPT SRC=//evil.example/x.js></SCRIPT>
"""


@pytest.fixture
def page():
    return InfoPage.objects.create(slug="faq", title="FAQ", summary="Questions",
                                   body="## Tickets\n\n**Bold** and a [link](https://x.example).",
                                   published=True)


def test_list_shows_published_pages_in_order(api, page):
    InfoPage.objects.create(slug="draft", title="Draft", published=False)
    InfoPage.objects.create(slug="visit", title="Visit", published=True, position=0)
    page.position = 5
    page.save()
    body = api.get("/api/v1/info/").json()
    assert [p["slug"] for p in body["results"]] == ["visit", "faq"]
    assert body["results"][1] == {"slug": "faq", "title": "FAQ", "summary": "Questions"}


def test_detail_renders_markdown(api, page):
    body = api.get("/api/v1/info/faq/").json()
    assert set(body) == {"slug", "title", "body_html", "updated_at", "attachments"}
    assert "<h2>Tickets</h2>" in body["body_html"]
    assert "<strong>Bold</strong>" in body["body_html"]
    assert 'href="https://x.example"' in body["body_html"]


def test_script_never_reaches_the_api(api, page):
    page.body = EVIL
    page.save()
    html = api.get("/api/v1/info/faq/").json()["body_html"].lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "alert("):
        assert bad not in html, bad
    assert "welcome!" in html and 'href="https://example.com"' in html


def test_unpublished_or_unknown_page_is_404(api, page):
    InfoPage.objects.create(slug="draft", title="Draft", published=False)
    for slug in ("draft", "nope"):
        response = api.get(f"/api/v1/info/{slug}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_attachment_on_local_storage(api, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Attachment.objects.create(page=page, file=ContentFile(b"%PDF-1.4 map", name="map.pdf"))
    [attachment] = api.get("/api/v1/info/faq/").json()["attachments"]
    assert attachment["name"] == "map.pdf" and attachment["size"] == 12
    assert attachment["url"].startswith("/media/attachments/map")
