"""CloudFormation: cfn-lint on deploy/templates and on `zappa template`; the IAM role is
least-privilege; the distribution routes what DESIGN.md says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from .conftest import ROOT

TEMPLATES = sorted((ROOT / "deploy" / "templates").glob("*.yaml"))
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
ZAPPA = Path(sys.executable).with_name("zappa")
# Actions AWS does not scope to a resource: the only ones allowed on "*".
UNSCOPED_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords",
                    "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"}


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CFN_LINT), *map(str, paths)], capture_output=True, text=True,
                          check=False)


def load(name: str) -> dict:
    return cfn_yaml.load(str(ROOT / "deploy" / "templates" / name))


def test_templates_are_cfn_lint_clean():
    assert TEMPLATES
    result = lint(*TEMPLATES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zappa_api_gateway_template_is_clean_and_calls_the_live_alias(tmp_path, aws_env):
    out = tmp_path / "zappa-template.json"
    env = {**os.environ, "VIRTUAL_ENV": str(ROOT / "build" / "venv")}
    result = subprocess.run(
        [str(ZAPPA), "template", "production",
         "-l", "arn:aws:lambda:eu-west-3:123456789012:function:marquee-production",
         "-r", "arn:aws:iam::123456789012:role/marquee-production-lambda", "-o", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    linted = lint(out)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    template = json.loads(out.read_text())
    methods = [r for r in template["Resources"].values()
               if r["Type"] == "AWS::ApiGateway::Method"]
    assert methods
    for method in methods:
        uri = method["Properties"]["Integration"]["Uri"]
        assert uri.endswith("function:marquee-production:live/invocations"), uri


def role_statements(template: dict) -> list[dict]:
    """The execution role's statements, a conditional one (Fn::If) taken as present."""
    role = template["Resources"]["LambdaExecutionRole"]["Properties"]
    statements = []
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                statement = statement["Fn::If"][1]
            statements.append(statement)
    return statements


def test_execution_role_is_least_privilege():
    statements = role_statements(load("backend.yaml"))
    actions = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"] if isinstance(statement["Action"], list) else [
            statement["Action"]]
        for action in listed:
            assert "*" not in action, f"wildcard action {action}"
        if statement["Resource"] == "*":
            assert set(listed) <= UNSCOPED_ACTIONS, statement["Sid"]
        actions.update(listed)
    assert {"logs:PutLogEvents", "secretsmanager:GetSecretValue", "s3:PutObject",
            "xray:PutTraceSegments", "ec2:CreateNetworkInterface",
            "lambda:InvokeFunction"} <= actions
    assert not actions & {"s3:DeleteBucket", "iam:PassRole", "secretsmanager:PutSecretValue"}


def test_distribution_routes_spa_static_and_api():
    template = load("frontend.yaml")
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "spa"
    routes = {b["PathPattern"]: b["TargetOriginId"] for b in config["CacheBehaviors"]}
    assert routes == {"/static/*": "static", "/api/v1/shows*": "api",
                      "/api/v1/performances/*": "api", "/api/v1/info*": "api",  # cached
                      "/api/*": "api", "/admin/*": "api"}
    assert all(b["ViewerProtocolPolicy"] != "allow-all" for b in config["CacheBehaviors"])
    origins = {o["Id"]: o for o in config["Origins"]}
    assert "OriginAccessControlId" in origins["spa"]
    headers = template["Resources"]["SecurityHeaders"]["Properties"][
        "ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert csp_directives(template)["frame-ancestors"] == ["'none'"]
    spa = template["Resources"]["SpaBucket"]["Properties"]
    assert all(spa["PublicAccessBlockConfiguration"].values())
    assert "WebACLId" in config and "HasWebAcl" in template["Conditions"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_buckets_are_private_and_encrypted(path):
    for name, resource in cfn_yaml.load(str(path))["Resources"].items():
        if resource["Type"] == "AWS::S3::Bucket":
            props = resource["Properties"]
            assert all(props["PublicAccessBlockConfiguration"].values()), name
            assert props["BucketEncryption"], name


def csp_directives(template: dict) -> dict[str, list[str]]:
    policy = template["Resources"]["SecurityHeaders"]["Properties"][
        "ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"][
        "ContentSecurityPolicy"]
    text = policy.get("Fn::Sub", policy) if isinstance(policy, dict) else policy
    text = text.replace("${AWS::Region}", "eu-west-3")
    directives = {}
    for part in text.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice: browsers ignore the second"
        directives[name] = sources
    return directives


def test_csp_allows_stripe_js_as_stripe_documents_and_nothing_more():
    """docs.stripe.com/security/guide (Content Security Policy) for Stripe.js: script-src
    js.stripe.com and *.js.stripe.com, frame-src those and hooks.stripe.com (3-D Secure),
    connect-src api.stripe.com. Scripts stay 'self' plus Stripe: no inline, no eval."""
    csp = csp_directives(load("frontend.yaml"))
    stripe_js = {"https://js.stripe.com", "https://*.js.stripe.com"}
    assert set(csp["script-src"]) == {"'self'"} | stripe_js
    assert set(csp["frame-src"]) == stripe_js | {"https://hooks.stripe.com"}
    assert "https://api.stripe.com" in csp["connect-src"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert not any("unsafe" in s for s in csp["script-src"] + csp["connect-src"])
    # The stripe.js URL production serves the SPA (STRIPE_JS_URL's default; marquee.W003
    # warns about another) is one the CSP allows.
    from project.settings import base

    assert base.STRIPE_JS_URL.startswith("https://js.stripe.com/")
    for name, sources in csp.items():
        for source in sources:
            host = source.split("://", 1)[-1]
            # A wildcard is valid only as the leftmost label of a host (CSP3 host-source).
            assert "*" not in host or (host.startswith("*.") and "*" not in host[2:]), (
                f"{name}: {source} is not a valid CSP source; browsers drop it")
