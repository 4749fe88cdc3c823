"""Upload the built SPA (frontend/dist) to its bucket and refresh CloudFront.

`make deploy-frontend STAGE=…`. Every object gets its Content-Type and Cache-Control:
- content-hashed assets (Vite's `assets/name-HASH.ext`) are immutable for a year;
- HTML (index.html) is `no-cache`: browsers revalidate it on every visit, so a release is
  seen at once;
- anything else (favicon, robots.txt) is cached briefly.
Assets go up first and index.html last, so a new index.html never names a missing file.
Objects no longer in the build are deleted — old hashed assets only after a grace period,
because an open tab with the previous index.html may still lazy-load them. Finally the
paths that are not immutable are invalidated in CloudFront.

The bucket and distribution come from the frontend stack's outputs
(`marquee-STAGE-frontend`, deploy/templates/frontend.yaml) unless given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import mimetypes
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
SHORT = "public, max-age=300"
# Vite: assets/index-BcD3fG7h.js, assets/logo-5a6b7c8d.svg (8+ base64url characters).
HASHED = re.compile(r"^assets/.+[-.][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".wasm": "application/wasm",
}


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    if HASHED.match(key):
        return IMMUTABLE
    if key.endswith(".html"):
        return NO_CACHE
    return SHORT


@dataclass
class Result:
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept_stale: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    invalidation_id: str | None = None


def _upload_order(key: str) -> tuple[int, str]:
    return (2 if key == "index.html" else 1 if key.endswith(".html") else 0, key)


def upload(*, s3: Any, cloudfront: Any, bucket: str, distribution_id: str, dist: Path,
           stale_asset_grace: dt.timedelta = dt.timedelta(days=1),
           now: dt.datetime | None = None) -> Result:
    if not (dist / "index.html").is_file():
        raise SystemExit(f"{dist}/index.html is missing: build the SPA first (make spa)")
    now = now or dt.datetime.now(dt.UTC)
    result = Result()
    files = {p.relative_to(dist).as_posix(): p for p in dist.rglob("*") if p.is_file()}
    for key in sorted(files, key=_upload_order):
        s3.put_object(Bucket=bucket, Key=key, Body=files[key].read_bytes(),
                      ContentType=content_type(key), CacheControl=cache_control(key))
        result.uploaded.append(key)

    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if key in files:
                continue
            if HASHED.match(key) and now - obj["LastModified"] < stale_asset_grace:
                result.kept_stale.append(key)
                continue
            result.deleted.append(key)
    for start in range(0, len(result.deleted), 1000):
        chunk = result.deleted[start:start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={
            "Objects": [{"Key": k} for k in chunk], "Quiet": True})

    paths = {"/"} | {f"/{k}" for k in files if cache_control(k) != IMMUTABLE}
    paths |= {f"/{k}" for k in result.deleted if not HASHED.match(k)}
    result.invalidated = sorted(paths)
    response = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": result.invalidated},
                           "CallerReference": f"marquee-{time.time_ns()}"})
    result.invalidation_id = response["Invalidation"]["Id"]
    return result


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    (found,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stage", default="production")
    parser.add_argument("--dist", type=Path, default=Path("frontend/dist"))
    parser.add_argument("--bucket")
    parser.add_argument("--distribution-id")
    parser.add_argument("--region", default="eu-west-3")
    parser.add_argument("--stale-asset-grace-hours", type=float, default=24)
    args = parser.parse_args(argv)

    import boto3

    session = boto3.session.Session(region_name=args.region)
    bucket, distribution_id = args.bucket, args.distribution_id
    if not (bucket and distribution_id):
        outputs = stack_outputs(session.client("cloudformation"),
                                f"marquee-{args.stage}-frontend")
        bucket = bucket or outputs["SpaBucketName"]
        distribution_id = distribution_id or outputs["DistributionId"]
    result = upload(s3=session.client("s3"), cloudfront=session.client("cloudfront"),
                    bucket=bucket, distribution_id=distribution_id, dist=args.dist,
                    stale_asset_grace=dt.timedelta(hours=args.stale_asset_grace_hours))
    print(f"uploaded {len(result.uploaded)}, deleted {len(result.deleted)}, kept "
          f"{len(result.kept_stale)} recent old assets; invalidation {result.invalidation_id} "
          f"for {len(result.invalidated)} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
