"""Release a deployed Lambda version behind the `live` alias (`make release STAGE=…`).

`zappa update STAGE` uploads the code; this step makes it what users get:
1. publish a version (SnapStart snapshots only published versions) and wait until its
   snapshot is ready (state Active);
2. move the `live` alias to it — or, with --canary W, keep `live` on the current version
   and send a fraction W of invocations to the new one (Lambda alias routing weights);
   --promote ends a canary by moving `live` fully to the canary version;
3. point the API Gateway integrations of the stage's REST API at `function:live` and give
   API Gateway permission to invoke that alias, then redeploy the stage;
4. point the scheduled events' rules (the per-minute hold expiry, the hourly purge), which
   `zappa update` re-creates on $LATEST, at `function:live` too, with their permission.
--rollback moves `live` back: it drops a running canary, or returns to the version `live`
pointed at before the last release (kept in the alias description).

Zappa alone leaves API Gateway and the scheduled events calling $LATEST, where SnapStart
never applies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ALIAS = "live"
STATEMENT_ID = "marquee-apigateway-invoke-live"


@dataclass
class Stage:
    name: str
    function_name: str
    region: str
    api_name: str
    environment: dict[str, str]

    @classmethod
    def from_zappa_settings(cls, stage: str, path: Path = ROOT / "zappa_settings.json"
                            ) -> Stage:
        settings = json.loads(path.read_text())
        config = settings[stage]
        if "extends" in config:  # Zappa's stage inheritance
            config = {**settings[config["extends"]], **config}
        function_name = f"{config['project_name']}-{stage}"
        return cls(name=stage, function_name=function_name, region=config["aws_region"],
                   api_name=function_name,
                   environment=dict(config.get("aws_environment_variables", {})))


def _description(previous: str | None) -> str:
    return json.dumps({"previous": previous})


def _previous(alias: dict) -> str | None:
    try:
        return json.loads(alias.get("Description") or "{}").get("previous")
    except ValueError:
        return None


def publish(lambda_client: Any, function_name: str, *, sleep: Callable[[float], None] =
            time.sleep, timeout: float = 600) -> str:
    """Publish $LATEST as a version and wait until it (and its snapshot) is Active."""
    waited = 0.0
    while True:  # a version cannot be published while an update is still in progress
        config = lambda_client.get_function_configuration(FunctionName=function_name)
        if config.get("LastUpdateStatus", "Successful") != "InProgress":
            break
        sleep(2)
        waited += 2
        if waited > timeout:
            raise TimeoutError(f"{function_name}: update still in progress")
    version = lambda_client.publish_version(FunctionName=function_name)["Version"]
    while True:
        config = lambda_client.get_function_configuration(FunctionName=function_name,
                                                          Qualifier=version)
        state = config.get("State", "Active")
        if state == "Active":
            return version
        if state == "Failed":
            raise RuntimeError(f"version {version} failed: {config.get('StateReason')}")
        sleep(5)
        waited += 5
        if waited > timeout:
            raise TimeoutError(f"version {version} still {state} after {timeout:.0f} s")


def move_alias(lambda_client: Any, function_name: str, version: str, *,
               canary: float | None = None) -> dict:
    """Point `live` at `version`, or send `canary` of the traffic to it."""
    try:
        alias = lambda_client.get_alias(FunctionName=function_name, Name=ALIAS)
    except lambda_client.exceptions.ResourceNotFoundException:
        # First release: nothing to be canary against.
        return lambda_client.create_alias(FunctionName=function_name, Name=ALIAS,
                                          FunctionVersion=version,
                                          Description=_description(None))
    stable = alias["FunctionVersion"]
    if canary is not None and stable != version:
        if not 0 < canary < 1:
            raise ValueError("canary weight must be between 0 and 1 (exclusive)")
        return lambda_client.update_alias(
            FunctionName=function_name, Name=ALIAS, FunctionVersion=stable,
            Description=_description(_previous(alias)),
            RoutingConfig={"AdditionalVersionWeights": {version: canary}})
    previous = stable if stable != version else _previous(alias)
    return lambda_client.update_alias(
        FunctionName=function_name, Name=ALIAS, FunctionVersion=version,
        Description=_description(previous), RoutingConfig={"AdditionalVersionWeights": {}})


def promote(lambda_client: Any, function_name: str) -> dict:
    alias = lambda_client.get_alias(FunctionName=function_name, Name=ALIAS)
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    if not weights:
        raise SystemExit("no canary to promote: `live` routes to one version")
    (canary_version,) = weights
    return move_alias(lambda_client, function_name, canary_version)


def rollback(lambda_client: Any, function_name: str) -> dict:
    alias = lambda_client.get_alias(FunctionName=function_name, Name=ALIAS)
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    if weights:  # a canary is running: everyone back on the stable version
        return lambda_client.update_alias(
            FunctionName=function_name, Name=ALIAS, FunctionVersion=alias["FunctionVersion"],
            Description=alias.get("Description", ""),
            RoutingConfig={"AdditionalVersionWeights": {}})
    previous = _previous(alias)
    if not previous:
        raise SystemExit("nothing to roll back to: no previous version recorded on `live`")
    return lambda_client.update_alias(
        FunctionName=function_name, Name=ALIAS, FunctionVersion=previous,
        Description=_description(None), RoutingConfig={"AdditionalVersionWeights": {}})


def find_rest_api(apigw: Any, name: str) -> str:
    found = [api["id"] for page in apigw.get_paginator("get_rest_apis").paginate()
             for api in page["items"] if api["name"] == name]
    if len(found) != 1:
        raise SystemExit(f"expected one REST API named {name!r}, found {len(found)} "
                         "(run `zappa deploy` first)")
    return found[0]


def point_api_at_alias(apigw: Any, lambda_client: Any, *, api_id: str, stage: str,
                       function_arn: str, region: str) -> tuple[list[str], str]:
    """Every Lambda proxy integration of the API invokes `function:live`; redeploy."""
    alias_arn = f"{function_arn.split(':live')[0]}:{ALIAS}"
    uri = (f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{alias_arn}"
           "/invocations")
    updated = []
    resources = [r for page in apigw.get_paginator("get_resources").paginate(restApiId=api_id)
                 for r in page["items"]]
    for resource in resources:
        for method in resource.get("resourceMethods") or {}:
            try:
                integration = apigw.get_integration(restApiId=api_id,
                                                    resourceId=resource["id"],
                                                    httpMethod=method)
            except apigw.exceptions.NotFoundException:
                continue
            if integration.get("type") != "AWS_PROXY":
                continue
            if integration.get("uri") != uri:
                # update_integration would do; put_integration works everywhere (moto too).
                # Zappa's template invokes with the execution role as credentials: keep them.
                kwargs = {k: integration[k] for k in ("credentials", "cacheNamespace",
                                                      "cacheKeyParameters", "timeoutInMillis",
                                                      "contentHandling")
                          if integration.get(k) is not None}
                apigw.put_integration(restApiId=api_id, resourceId=resource["id"],
                                      httpMethod=method, type="AWS_PROXY",
                                      integrationHttpMethod="POST", uri=uri,
                                      passthroughBehavior=integration.get(
                                          "passthroughBehavior", "WHEN_NO_MATCH"), **kwargs)
            updated.append(f"{method} {resource['path']}")
    account = function_arn.split(":")[4]
    source_arn = f"arn:aws:execute-api:{region}:{account}:{api_id}/*/*/*"
    # ResourceConflictException: granted by an earlier release.
    with contextlib.suppress(lambda_client.exceptions.ResourceConflictException):
        lambda_client.add_permission(FunctionName=function_arn.split(":live")[0],
                                     Qualifier=ALIAS, StatementId=STATEMENT_ID,
                                     Action="lambda:InvokeFunction",
                                     Principal="apigateway.amazonaws.com",
                                     SourceArn=source_arn)
    deployment = apigw.create_deployment(
        restApiId=api_id, stageName=stage,
        description=f"marquee release: integrations on :{ALIAS}")["id"]
    return updated, deployment


def point_events_at_alias(events: Any, lambda_client: Any, *, function_arn: str) -> list[str]:
    """Every scheduled-event rule that invokes the function ($LATEST: what `zappa update`
    schedules) invokes `function:live` instead, so the per-minute and hourly jobs run on
    the SnapStart-restored version like the API does. Returns the rules moved."""
    base_arn = function_arn.split(f":{ALIAS}")[0]
    alias_arn = f"{base_arn}:{ALIAS}"
    moved = []
    rules = [name for page in events.get_paginator("list_rule_names_by_target").paginate(
        TargetArn=base_arn) for name in page["RuleNames"]]
    for rule in rules:
        targets = events.list_targets_by_rule(Rule=rule)["Targets"]
        ours = [{**t, "Arn": alias_arn} for t in targets if t["Arn"] == base_arn]
        if not ours:
            continue
        events.put_targets(Rule=rule, Targets=ours)
        rule_arn = events.describe_rule(Name=rule)["Arn"]
        with contextlib.suppress(lambda_client.exceptions.ResourceConflictException):
            lambda_client.add_permission(
                FunctionName=base_arn, Qualifier=ALIAS,
                StatementId=f"marquee-events-{rule}"[:100], Action="lambda:InvokeFunction",
                Principal="events.amazonaws.com", SourceArn=rule_arn)
        moved.append(rule)
    return moved


def release(*, lambda_client: Any, apigw: Any, stage: Stage, canary: float | None = None,
            sleep: Callable[[float], None] = time.sleep, events: Any = None) -> dict:
    version = publish(lambda_client, stage.function_name, sleep=sleep)
    alias = move_alias(lambda_client, stage.function_name, version, canary=canary)
    api_id = find_rest_api(apigw, stage.api_name)
    function_arn = lambda_client.get_function_configuration(
        FunctionName=stage.function_name)["FunctionArn"]
    methods, deployment = point_api_at_alias(apigw, lambda_client, api_id=api_id, stage=stage.name,
                                 function_arn=function_arn, region=stage.region)
    rules = point_events_at_alias(events, lambda_client, function_arn=function_arn) \
        if events is not None else []
    return {"version": version, "alias": _summary(alias), "api": api_id,
            "integrations": methods, "deployment": deployment, "scheduled_events": rules}


def _summary(alias: dict) -> dict:
    return {"name": alias["Name"], "version": alias["FunctionVersion"],
            "weights": (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {}),
            "previous": _previous(alias)}


def collectstatic(stage: Stage) -> None:
    """Upload Django's static files to the stage's bucket from this machine (the Lambda
    role has no write access to it). The secret key only has to exist; it signs nothing."""
    env = {**os.environ, **stage.environment,
           "DJANGO_SETTINGS_MODULE": "project.settings.production",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "AWS_DEFAULT_REGION": stage.region}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"],
                   cwd=ROOT, env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stage", default="production")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--canary", type=float, metavar="WEIGHT",
                        help="send this fraction (0-1) of invocations to the new version")
    action.add_argument("--promote", action="store_true", help="end a canary: all traffic")
    action.add_argument("--rollback", action="store_true")
    action.add_argument("--collectstatic", action="store_true")
    args = parser.parse_args(argv)
    stage = Stage.from_zappa_settings(args.stage)
    if args.collectstatic:
        collectstatic(stage)
        return 0

    import boto3
    from botocore.config import Config

    session = boto3.session.Session(region_name=stage.region)
    config = Config(connect_timeout=5, read_timeout=30,
                    retries={"max_attempts": 5, "mode": "standard"})
    lambda_client = session.client("lambda", config=config)
    if args.rollback:
        result = {"rolled_back": _summary(rollback(lambda_client, stage.function_name))}
    elif args.promote:
        result = {"promoted": _summary(promote(lambda_client, stage.function_name))}
    else:
        apigw = session.client("apigateway", config=config)
        events = session.client("events", config=config)
        result = release(lambda_client=lambda_client, apigw=apigw, stage=stage,
                         canary=args.canary, events=events)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
