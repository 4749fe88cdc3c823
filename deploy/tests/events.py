"""Lambda events in the shapes AWS documents, for the handler tests.

- API Gateway REST API, Lambda proxy integration (payload 1.0):
  docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
- API Gateway HTTP API, payload format 2.0:
  docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
- Application Load Balancer target (multi-value headers on or off):
  docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
- EventBridge scheduled event: docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
- Zappa's own `manage` event (what `zappa manage STAGE "cmd"` invokes the function with).
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl

API_ID = "a1b2c3d4e5"
REGION = "eu-west-3"
ACCOUNT = "123456789012"
STAGE = "production"
STAGE_HOST = f"{API_ID}.execute-api.{REGION}.amazonaws.com"
PUBLIC_HOST = "tickets.example.com"
ALB_HOST = "marquee-alb-1234567890.eu-west-3.elb.amazonaws.com"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) marquee-handler-test"


def _body(body: str | bytes | None) -> tuple[str | None, bool]:
    if body is None:
        return None, False
    if isinstance(body, bytes):
        return base64.b64encode(body).decode(), True
    return body, False


def rest_v1(method: str, path: str, *, query: str = "", headers: dict | None = None,
            body: str | None = None, via_cloudfront: bool = False) -> dict:
    """REST API proxy event as API Gateway sends it; `path` excludes the stage."""
    hdrs = {
        "Accept": "text/html,application/json",
        "Host": STAGE_HOST,
        "User-Agent": USER_AGENT,
        "X-Amzn-Trace-Id": "Root=1-5e1b4151-5ac6c58f5a3b4c7e8f9a0b1c",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if via_cloudfront:
        # frontend.yaml: CloudFront sends the viewer's host as an origin custom header.
        hdrs["X-Forwarded-For"] = "203.0.113.7, 130.176.0.1"
        hdrs["Via"] = "2.0 abcdef.cloudfront.net (CloudFront)"
        hdrs["X-Forwarded-Host"] = PUBLIC_HOST
        hdrs["CloudFront-Forwarded-Proto"] = "https"
    hdrs.update(headers or {})
    pairs = parse_qsl(query, keep_blank_values=True)
    multi_q: dict[str, list[str]] = {}
    for k, v in pairs:
        multi_q.setdefault(k, []).append(v)
    text, b64 = _body(body)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_q.items()} or None,
        "multiValueQueryStringParameters": multi_q or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "domainName": STAGE_HOST,
            "domainPrefix": API_ID,
            "extendedRequestId": "BQGojGkBAi0EHsQ=",
            "httpMethod": method,
            "identity": {"accessKey": None, "accountId": None, "caller": None,
                         "cognitoIdentityId": None, "sourceIp": "203.0.113.7",
                         "user": None, "userAgent": USER_AGENT, "userArn": None},
            "path": f"/{STAGE}{path}",
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "25/Nov/2026:12:00:00 +0000",
            "requestTimeEpoch": 1795608000000,
            "resourceId": "roq9wj",
            "resourcePath": "/{proxy+}",
            "stage": STAGE,
        },
        "body": text,
        "isBase64Encoded": b64,
    }


def _lower_case_headers(host: str, extra: dict | None) -> dict:
    """The headers HTTP API (v2) and ALB events carry, lower-cased as they send them."""
    hdrs = {
        "accept": "text/html,application/json",
        "host": host,
        "user-agent": USER_AGENT,
        "x-amzn-trace-id": "Root=1-5e1b4151-5ac6c58f5a3b4c7e8f9a0b1c",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    hdrs.update({k.lower(): v for k, v in (extra or {}).items()})
    return hdrs


def http_v2(method: str, path: str, *, query: str = "", headers: dict | None = None,
            cookies: list[str] | None = None, body: str | None = None,
            stage: str = STAGE) -> dict:
    """HTTP API event (payload 2.0). On a named stage, rawPath starts with the stage."""
    raw_path = f"/{stage}{path}" if stage != "$default" else path
    hdrs = _lower_case_headers(STAGE_HOST, headers)
    text, b64 = _body(body)
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": hdrs,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "domainName": STAGE_HOST,
            "domainPrefix": API_ID,
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.7", "userAgent": USER_AGENT},
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": stage,
            "time": "25/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795608000000,
        },
        "isBase64Encoded": b64,
    }
    if query:
        event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
    if cookies:
        event["cookies"] = cookies
    if text is not None:
        event["body"] = text
    return event


def alb(method: str, path: str, *, headers: dict | None = None, body: str | None = None,
        multi_value: bool = True) -> dict:
    hdrs = _lower_case_headers(ALB_HOST, headers)
    text, b64 = _body(body)
    event = {
        "requestContext": {"elb": {"targetGroupArn": (
            f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/marquee/6d0ecf831eec9f09")}},
        "httpMethod": method,
        "path": path,
        "body": text or "",
        "isBase64Encoded": b64,
    }
    if multi_value:
        event["multiValueHeaders"] = {k: [v] for k, v in hdrs.items()}
        event["multiValueQueryStringParameters"] = {}
    else:
        event["headers"] = hdrs
        event["queryStringParameters"] = {}
    return event


def scheduled(function: str, *, lambda_name: str = "marquee-production",
              rule_name: str | None = None) -> dict:
    """The event of the EventBridge rule Zappa creates for zappa_settings.json `events`;
    Zappa names the rule `<lambda name>-<function>` (zappa.core's get_scheduled_event_name,
    which shortens long names but always keeps the function after the last "-")."""
    rule_name = rule_name or f"{lambda_name}-{function}"
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2026-11-25T12:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule_name}"],
        "detail": {},
    }


def manage(command: str) -> dict:
    return {"manage": command}
