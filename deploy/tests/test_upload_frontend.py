"""deploy/upload_frontend.py end to end against moto, with a fake Vite build."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from moto import mock_aws

from deploy import upload_frontend as uf

BUCKET = "marquee-production-spa-eu-west-3"
BUILD = {
    "index.html": ('<!doctype html><script type="module" src="/assets/index-Bx7_kQ2a.js">'
                   "</script>", "text/html; charset=utf-8", uf.NO_CACHE),
    "assets/index-Bx7_kQ2a.js": ("console.log(1)", "text/javascript; charset=utf-8",
                                 uf.IMMUTABLE),
    "assets/index-D4-f9LmZ.css": ("body{}", "text/css; charset=utf-8", uf.IMMUTABLE),
    "assets/logo-1a2b3c4d.svg": ("<svg/>", "image/svg+xml", uf.IMMUTABLE),
    "assets/inter-latin-400-normal-Ab12Cd34.woff2": ("wOF2", "font/woff2", uf.IMMUTABLE),
    "favicon.ico": ("\0\0\1\0", "image/x-icon", uf.SHORT),
    "robots.txt": ("User-agent: *", "text/plain; charset=utf-8", uf.SHORT),
    "manifest.webmanifest": ("{}", "application/manifest+json", uf.SHORT),
}


@pytest.fixture
def dist(tmp_path):
    for key, (body, _, _) in BUILD.items():
        path = tmp_path / "dist" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return tmp_path / "dist"


@pytest.fixture
def aws(aws_env):
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-3")
        s3.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        distribution = cloudfront.create_distribution(DistributionConfig={
            "CallerReference": "marquee-test", "Comment": "Marquee", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "spa", "DomainName": f"{BUCKET}.s3.eu-west-3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "spa",
                                     "ViewerProtocolPolicy": "redirect-to-https",
                                     "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        })["Distribution"]["Id"]
        yield s3, cloudfront, distribution


def run(aws, dist, **kwargs):
    s3, cloudfront, distribution = aws
    return uf.upload(s3=s3, cloudfront=cloudfront, bucket=BUCKET,
                     distribution_id=distribution, dist=dist, **kwargs)


def test_every_object_has_its_content_type_and_cache_control(aws, dist):
    result = run(aws, dist)
    s3 = aws[0]
    assert sorted(result.uploaded) == sorted(BUILD)
    assert result.uploaded[-1] == "index.html"  # last: never names a missing asset
    for key, (body, content_type, cache_control) in BUILD.items():
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert head["ContentType"] == content_type, key
        assert head["CacheControl"] == cache_control, key
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == body.encode()


def test_stale_objects_are_removed_and_cloudfront_invalidated(aws, dist):
    s3, cloudfront, distribution = aws
    for key in ("old-page.html", "assets/index-OLDhash1.js", "assets/index-OLDhash2.css"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"old")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    result = run(aws, dist, now=later)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == set(BUILD)
    assert sorted(result.deleted) == ["assets/index-OLDhash1.js", "assets/index-OLDhash2.css",
                                      "old-page.html"]
    (invalidation,) = cloudfront.list_invalidations(
        DistributionId=distribution)["InvalidationList"]["Items"]
    paths = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation["Id"])[
        "Invalidation"]["InvalidationBatch"]["Paths"]["Items"]
    assert {"/", "/index.html", "/old-page.html", "/robots.txt"} <= set(paths)
    assert not any(p.startswith("/assets/") for p in paths)  # immutable: never invalidated


def test_recent_old_assets_survive_for_open_tabs(aws, dist):
    s3 = aws[0]
    s3.put_object(Bucket=BUCKET, Key="assets/index-PREVIOUS.js", Body=b"old")
    result = run(aws, dist)  # within the grace period
    assert result.kept_stale == ["assets/index-PREVIOUS.js"]
    assert "assets/index-PREVIOUS.js" in {
        o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}


def test_no_build_no_upload(aws, tmp_path):
    with pytest.raises(SystemExit, match=r"index\.html is missing"):
        run(aws, tmp_path)


@pytest.mark.parametrize("key, expected", [
    ("assets/index-Bx7_kQ2a.js", uf.IMMUTABLE),
    ("assets/chunk.js", uf.SHORT),  # no hash: may change under the same name
    ("index.html", uf.NO_CACHE),
    ("shows/index.html", uf.NO_CACHE),
    ("favicon.ico", uf.SHORT),
])
def test_cache_control_rules(key, expected):
    assert uf.cache_control(key) == expected
