"""deploy/release.py against moto: versions, the `live` alias, canary, rollback, API Gateway."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws

from deploy import release

REGION = "eu-west-3"
FUNCTION = "marquee-production"


def code(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("handler.py", f"def lambda_handler(e, c):\n    return {marker!r}\n")
    return buffer.getvalue()


@pytest.fixture
def aws(aws_env):
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        iam = session.client("iam")
        role = iam.create_role(RoleName="marquee-production-lambda", AssumeRolePolicyDocument=(
            json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole"}]})))["Role"]["Arn"]
        lam = session.client("lambda")
        function_arn = lam.create_function(
            FunctionName=FUNCTION, Runtime="python3.12", Role=role,
            Handler="project.lambda_handler.lambda_handler", Code={"ZipFile": code("v1")},
            SnapStart={"ApplyOn": "PublishedVersions"}, Timeout=25,
            MemorySize=1024)["FunctionArn"]
        apigw = session.client("apigateway")
        api = apigw.create_rest_api(name=FUNCTION, endpointConfiguration={
            "types": ["REGIONAL"]})["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        proxy = apigw.create_resource(restApiId=api, parentId=root,
                                      pathPart="{proxy+}")["id"]
        latest = (f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                  f"{function_arn}/invocations")
        for resource in (root, proxy):  # what `zappa deploy` leaves: $LATEST
            apigw.put_method(restApiId=api, resourceId=resource, httpMethod="ANY",
                             authorizationType="NONE")
            apigw.put_integration(restApiId=api, resourceId=resource, httpMethod="ANY",
                                  type="AWS_PROXY", integrationHttpMethod="POST", uri=latest,
                                  credentials=role)
        apigw.create_deployment(restApiId=api, stageName="production")
        yield {"lambda": lam, "apigw": apigw, "api": api, "resources": (root, proxy),
               "function_arn": function_arn}


def stage() -> release.Stage:
    return release.Stage.from_zappa_settings("production")


def do_release(aws, **kwargs):
    return release.release(lambda_client=aws["lambda"], apigw=aws["apigw"], stage=stage(),
                           sleep=lambda s: None, **kwargs)


def alias(aws) -> dict:
    return aws["lambda"].get_alias(FunctionName=FUNCTION, Name="live")


def new_code(aws, marker):
    aws["lambda"].update_function_code(FunctionName=FUNCTION, ZipFile=code(marker))


def test_stage_comes_from_zappa_settings():
    production, dev = stage(), release.Stage.from_zappa_settings("dev")
    assert (production.function_name, production.region) == (FUNCTION, REGION)
    assert dev.function_name == "marquee-dev" and dev.region == REGION
    assert "DJANGO_SECRET_KEY" not in production.environment


def test_release_points_api_gateway_and_permission_at_live(aws):
    result = do_release(aws)
    assert result["alias"]["name"] == "live"
    assert alias(aws)["FunctionVersion"] == result["version"] != "$LATEST"
    assert sorted(result["integrations"]) == ["ANY /", "ANY /{proxy+}"]
    for resource in aws["resources"]:
        integration = aws["apigw"].get_integration(restApiId=aws["api"], resourceId=resource,
                                                   httpMethod="ANY")
        assert integration["type"] == "AWS_PROXY"
        assert integration["credentials"].endswith(":role/marquee-production-lambda")
        assert integration["uri"].endswith(f"function:{FUNCTION}:live/invocations")
    policy = json.loads(aws["lambda"].get_policy(FunctionName=FUNCTION,
                                                 Qualifier="live")["Policy"])
    (statement,) = [s for s in policy["Statement"] if s["Sid"] == release.STATEMENT_ID]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Resource"].endswith(f"{FUNCTION}:live")
    assert aws["api"] in json.dumps(statement["Condition"])
    deployments = aws["apigw"].get_deployments(restApiId=aws["api"])["items"]
    assert len(deployments) == 2  # the stage was redeployed with the new integrations
    stage_info = aws["apigw"].get_stage(restApiId=aws["api"], stageName="production")
    assert stage_info["deploymentId"] == result["deployment"]


def test_release_twice_is_harmless(aws):
    first = do_release(aws)
    second = do_release(aws)
    assert alias(aws)["FunctionVersion"] == second["version"]
    assert first["alias"]["name"] == second["alias"]["name"]


def test_canary_promote_and_rollback(aws):
    v1 = do_release(aws)["version"]
    new_code(aws, "v2")
    v2 = do_release(aws)["version"]
    assert v2 != v1 and alias(aws)["FunctionVersion"] == v2

    new_code(aws, "v3")
    v3 = do_release(aws, canary=0.1)["version"]
    live = alias(aws)
    assert live["FunctionVersion"] == v2
    assert live["RoutingConfig"]["AdditionalVersionWeights"] == {v3: 0.1}

    # Rolling back a canary: everyone on the stable version again.
    release.rollback(aws["lambda"], FUNCTION)
    live = alias(aws)
    assert live["FunctionVersion"] == v2
    assert not (live.get("RoutingConfig") or {}).get("AdditionalVersionWeights")

    # A canary promoted, then rolled back: the previous version returns.
    do_release(aws, canary=0.25)
    assert alias(aws)["RoutingConfig"]["AdditionalVersionWeights"] == {v3: 0.25}
    release.promote(aws["lambda"], FUNCTION)
    live = alias(aws)
    assert live["FunctionVersion"] == v3
    assert not (live.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
    release.rollback(aws["lambda"], FUNCTION)
    assert alias(aws)["FunctionVersion"] == v2


def test_rollback_without_history_refuses(aws):
    do_release(aws)
    with pytest.raises(SystemExit, match="nothing to roll back"):
        release.rollback(aws["lambda"], FUNCTION)


def test_canary_weight_is_checked(aws):
    do_release(aws)
    new_code(aws, "v2")
    with pytest.raises(ValueError, match="between 0 and 1"):
        do_release(aws, canary=1.5)


def test_no_rest_api_is_an_error(aws):
    aws["apigw"].delete_rest_api(restApiId=aws["api"])
    with pytest.raises(SystemExit, match="zappa deploy"):
        do_release(aws)


def test_collectstatic_fills_the_static_bucket_under_static(moto_server, aws_env, monkeypatch):
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=moto_server)
    bucket = "marquee-test-collectstatic"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    target = stage()
    target.environment.update(STATIC_BUCKET=bucket, AWS_ENDPOINT_URL=moto_server)
    release.collectstatic(target)
    head = s3.head_object(Bucket=bucket, Key="static/admin/css/base.css")
    assert head["ContentType"] == "text/css"
    assert head["CacheControl"] == "public, max-age=86400"


def test_release_moves_the_scheduled_events_to_live(aws):
    """`zappa update` schedules its events on $LATEST; the release moves them to `live`."""
    events = boto3.session.Session(region_name=REGION).client("events")
    rules = {}
    for name, expression, function in (
            ("marquee-production-release_expired_holds", "rate(1 minute)",
             "project.lambda_handler.release_expired_holds"),
            ("marquee-production-purge_idempotency_keys", "rate(1 hour)",
             "project.lambda_handler.purge_idempotency_keys")):
        rules[name] = events.put_rule(Name=name, ScheduleExpression=expression,
                                      State="ENABLED")["RuleArn"]
        events.put_targets(Rule=name, Targets=[{  # what Zappa schedules
            "Id": "Id1", "Arn": aws["function_arn"],
            "Input": json.dumps({"detail-type": "Scheduled Event", "command": function})}])
    events.put_rule(Name="someone-else", ScheduleExpression="rate(1 day)")
    events.put_targets(Rule="someone-else", Targets=[{"Id": "x", "Arn": "arn:aws:sqs:"
                                                      f"{REGION}:123456789012:queue"}])

    result = do_release(aws, events=events)
    assert sorted(result["scheduled_events"]) == sorted(rules)
    policy = json.loads(aws["lambda"].get_policy(FunctionName=FUNCTION,
                                                 Qualifier="live")["Policy"])
    for name, rule_arn in rules.items():
        (target,) = events.list_targets_by_rule(Rule=name)["Targets"]
        assert target["Arn"] == f"{aws['function_arn']}:live"
        assert json.loads(target["Input"])["detail-type"] == "Scheduled Event"  # kept
        (grant,) = [s for s in policy["Statement"]
                    if s["Principal"] == {"Service": "events.amazonaws.com"}
                    and rule_arn in json.dumps(s["Condition"])]
        assert grant["Resource"].endswith(f"{FUNCTION}:live")
    assert events.list_targets_by_rule(Rule="someone-else")["Targets"][0]["Id"] == "x"
    # The next `zappa update` schedules the per-minute job on $LATEST again; so does the
    # next release move it back (the permission it granted before is kept).
    name = "marquee-production-release_expired_holds"
    events.put_targets(Rule=name, Targets=[{"Id": "Id1", "Arn": aws["function_arn"]}])
    new_code(aws, "v2")
    assert do_release(aws, events=events)["scheduled_events"] == [name]
    assert events.list_targets_by_rule(Rule=name)["Targets"][0]["Arn"].endswith(":live")
