"""Attachments round-trip through S3 (django-storages) on moto."""

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from moto import mock_aws

from info.models import Attachment, InfoPage

pytestmark = pytest.mark.django_db

BUCKET = "marquee-media-test"


@pytest.fixture
def s3_media(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        settings.STORAGES = {**settings.STORAGES, "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "region_name": "eu-west-1",
                        "querystring_auth": True, "file_overwrite": False}}}
        yield boto3.client("s3", region_name="eu-west-1")


def test_attachment_round_trips_through_s3(api, s3_media):
    assert default_storage.__class__.__name__ == "S3Storage"
    page = InfoPage.objects.create(slug="visit", title="Visit", published=True)
    content = b"%PDF-1.4 seating plan"
    Attachment.objects.create(page=page, name="Seating plan",
                              file=ContentFile(content, name="seating.pdf"))
    [attachment] = api.get("/api/v1/info/visit/").json()["attachments"]
    assert attachment["name"] == "Seating plan" and attachment["size"] == len(content)
    assert BUCKET in attachment["url"] and "Signature=" in attachment["url"]  # presigned
    key = Attachment.objects.get().file.name
    assert s3_media.get_object(Bucket=BUCKET, Key=key)["Body"].read() == content
    assert requests.get(attachment["url"], timeout=5).content == content  # served by moto


def test_public_bucket_urls_are_plain(api, s3_media, settings):
    settings.STORAGES["default"]["OPTIONS"]["querystring_auth"] = False
    page = InfoPage.objects.create(slug="visit", title="Visit", published=True)
    Attachment.objects.create(page=page, file=ContentFile(b"x", name="a.txt"))
    [attachment] = api.get("/api/v1/info/visit/").json()["attachments"]
    assert "Signature=" not in attachment["url"] and attachment["url"].startswith("https://")
