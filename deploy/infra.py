"""The AWS stacks of a stage, in order, and the settings their outputs give (`make infra`).

    python deploy/infra.py deploy --stage production --domain tickets.example.com
        [--profile small|busy]
        [--multi-az] [--nat-gateways 2] [--cache-engine redis] [--db-instance-class …]
        [--vpc-id vpc-… --vpc-cidr … --private-subnet-ids a,b --private-route-table-ids a,b]
    python deploy/infra.py settings --stage production [--write]
    python deploy/infra.py spa-env --stage production

`deploy` creates or updates marquee-STAGE-{network,backend,data,auth} in that order, each
stack's parameters taken from the outputs of the ones before it (with --vpc-id, your own
VPC replaces the network stack). `settings` turns the stacks' outputs into the stage's
values in zappa_settings.json (printed, or written with --write) and names what is still
REPLACE-ME: only what no stack can know (the Stripe publishable key). `spa-env` prints the
SPA's build variables (VITE_AUTH_BASE, VITE_AUTH_CLIENT_ID) as shell exports.
The front stack (frontend.yaml) comes after `zappa deploy`, which creates the API it fronts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "deploy" / "templates"
SETTINGS = ROOT / "zappa_settings.json"
PARTS = ("network", "backend", "data", "auth")
CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]  # data.yaml: a transform
PLACEHOLDER = "REPLACE-ME"
WIDTH = 100  # zappa_settings.json's line length


# The two deployment profiles (DEPLOY.md, "Profiles"): the stacks' parameters that differ.
PROFILES: dict[str, dict[str, str]] = {
    # A quiet venue: Aurora Serverless v2 pausing at 0 ACU, reached directly (no RDS
    # Proxy), one NAT instance, no cache (throttles and due work in the state table).
    "small": {"NatMode": "instance", "DatabaseEngine": "aurora-serverless",
              "RdsProxy": "false", "CacheKind": "none", "MinCapacity": "0"},
    # Steady traffic and big on-sales: RDS behind RDS Proxy, NAT gateway, ElastiCache.
    "busy": {"NatMode": "gateway", "DatabaseEngine": "rds", "RdsProxy": "true",
             "CacheKind": "elasticache"},
}
DEFAULT_PROFILE = "small"


@dataclass
class Options:
    stage: str = "production"
    domain: str = ""
    profile: str = DEFAULT_PROFILE
    multi_az: bool = False
    nat_gateways: int = 1
    vpc_cidr: str = "10.0.0.0/16"
    public_subnet_cidrs: str = "10.0.0.0/20,10.0.16.0/20"
    private_subnet_cidrs: str = "10.0.32.0/20,10.0.48.0/20"
    cache_engine: str = "valkey"
    db_instance_class: str = "db.t4g.micro"
    auth_domain_prefix: str = ""
    secrets_manager_endpoint: bool = False
    email_identity_arn: str = ""  # SES identity of EMAIL_FROM (ses:SendEmail on it)
    email_from: str = ""  # the sender of Cognito's sign-in codes (auth stack)
    # Overrides of the profile (DEPLOY.md, "Switching profiles"): e.g. busy on the Aurora
    # cluster a small deployment already has, so that no data moves.
    database_engine: str = ""
    min_capacity: str = ""
    # Your own VPC instead of the network stack.
    vpc: dict[str, str] = field(default_factory=dict)


def stack_name(stage: str, part: str) -> str:
    return f"marquee-{stage}-{part}"


def read_template(part: str) -> str:
    return (TEMPLATES / f"{part}.yaml").read_text()


def parameters(part: str, options: Options, outputs: dict[str, dict[str, str]]
               ) -> dict[str, str]:
    """The stack's parameters: options, and the outputs of the stacks before it."""
    net, backend = outputs.get("network", {}), outputs.get("backend", {})
    stage = {"Stage": options.stage}
    profile = dict(PROFILES[options.profile])
    if options.database_engine:
        profile["DatabaseEngine"] = options.database_engine
    if options.min_capacity:
        profile["MinCapacity"] = options.min_capacity
    if (profile["RdsProxy"] == "true" and profile["DatabaseEngine"] == "aurora-serverless"
            and float(profile.get("MinCapacity", "0")) == 0):
        raise SystemExit("RDS Proxy keeps Aurora from pausing: give --min-capacity 0.5 or "
                         "more with it (DEPLOY.md, \"Switching profiles\")")
    if part == "network":
        return {**stage, "NatMode": profile["NatMode"],
                "NatGateways": str(options.nat_gateways),
                "VpcCidr": options.vpc_cidr, "PublicSubnetCidrs": options.public_subnet_cidrs,
                "PrivateSubnetCidrs": options.private_subnet_cidrs}
    if part == "backend":
        return {**stage, "VpcId": net["VpcId"], "VpcCidr": net["VpcCidr"],
                "PrivateSubnetIds": net["PrivateSubnetIds"],
                "PrivateRouteTableIds": net["PrivateRouteTableIds"],
                "SecretsManagerEndpoint": str(options.secrets_manager_endpoint).lower(),
                "EmailIdentityArn": options.email_identity_arn}
    if part == "data":
        return {**stage, "VpcId": net["VpcId"], "PrivateSubnetIds": net["PrivateSubnetIds"],
                "LambdaSecurityGroupId": backend["LambdaSecurityGroupId"],
                "LambdaRoleName": backend["LambdaRoleArn"].rsplit("/", 1)[1],
                "MultiAZ": str(options.multi_az).lower(),
                "DBInstanceClass": options.db_instance_class,
                "CacheEngine": options.cache_engine,
                **{k: v for k, v in profile.items() if k != "NatMode"}}
    if part == "auth":
        if not options.domain:
            raise SystemExit("--domain is needed for the auth stack (callback URLs)")
        if not options.email_identity_arn:
            raise SystemExit("--email-identity-arn is needed for the auth stack: Cognito "
                             "emails the sign-in codes through SES")
        return {**stage, "DomainName": options.domain,
                "AuthDomainPrefix": options.auth_domain_prefix,
                "EmailIdentityArn": options.email_identity_arn,
                "EmailFrom": options.email_from}
    raise ValueError(part)


def _outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def describe(cf: Any, name: str) -> dict | None:
    try:
        return cf.describe_stacks(StackName=name)["Stacks"][0]
    except cf.exceptions.ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise


def deploy_stack(cf: Any, name: str, body: str, params: dict[str, str], *, stage: str,
                 delay: int = 15) -> dict[str, str]:
    """Create or update one stack, wait for it, return its outputs."""
    kwargs = {"StackName": name, "TemplateBody": body, "Capabilities": CAPABILITIES,
              "Parameters": [{"ParameterKey": k, "ParameterValue": v}
                             for k, v in params.items()],
              "Tags": [{"Key": "app", "Value": "marquee"}, {"Key": "stage", "Value": stage}]}
    existing = describe(cf, name)
    if existing is None or existing["StackStatus"] == "REVIEW_IN_PROGRESS":
        print(f"creating {name}", flush=True)
        cf.create_stack(**kwargs, OnFailure="ROLLBACK", EnableTerminationProtection=True)
        waiter = "stack_create_complete"
    else:
        print(f"updating {name}", flush=True)
        try:
            cf.update_stack(**kwargs)
        except cf.exceptions.ClientError as exc:
            if "No updates are to be performed" not in str(exc):
                raise
            print(f"  {name}: no changes", flush=True)
            return _outputs(existing)
        waiter = "stack_update_complete"
    # RDS, its proxy and a NAT gateway take minutes: up to an hour in all.
    cf.get_waiter(waiter).wait(StackName=name,
                               WaiterConfig={"Delay": delay, "MaxAttempts": 3600 // delay})
    return _outputs(describe(cf, name))


def deploy_all(cf: Any, options: Options, *, load: Callable[[str], str] = read_template,
               delay: int = 15) -> dict[str, dict[str, str]]:
    outputs: dict[str, dict[str, str]] = {}
    for part in PARTS:
        if part == "network" and options.vpc:
            outputs["network"] = dict(options.vpc)  # your own VPC
            continue
        outputs[part] = deploy_stack(cf, stack_name(options.stage, part), load(part),
                                     parameters(part, options, outputs),
                                     stage=options.stage, delay=delay)
    return outputs


# --------------------------------------------------------------------------- settings

@dataclass
class StageOutputs:
    """What the stacks of a stage say, as the settings need it."""

    stage: str
    region: str
    outputs: dict[str, dict[str, str]]
    domain: str = ""

    @classmethod
    def read(cls, cf: Any, stage: str, region: str) -> StageOutputs:
        outputs, domain = {}, ""
        for part in (*PARTS, "frontend"):
            stack = describe(cf, stack_name(stage, part))
            if stack is None:
                continue
            outputs[part] = _outputs(stack)
            if part == "auth":
                domain = next((p["ParameterValue"] for p in stack.get("Parameters", [])
                               if p["ParameterKey"] == "DomainName"), "")
        return cls(stage=stage, region=region, outputs=outputs, domain=domain)


def zappa_values(found: StageOutputs) -> tuple[dict[str, Any], dict[str, str | None]]:
    """(stage-level settings, environment variables; None = remove) from the outputs."""
    net, backend = found.outputs.get("network", {}), found.outputs.get("backend", {})
    data, auth = found.outputs.get("data", {}), found.outputs.get("auth", {})
    front = found.outputs.get("frontend", {})
    top: dict[str, Any] = {}
    env: dict[str, str | None] = {}
    if "LambdaRoleArn" in backend:
        top["role_arn"] = backend["LambdaRoleArn"]
        top["role_name"] = backend["LambdaRoleArn"].rsplit("/", 1)[1]
    if "PrivateSubnetIds" in net and "LambdaSecurityGroupId" in backend:
        top["vpc_config"] = {"SubnetIds": net["PrivateSubnetIds"].split(","),
                             "SecurityGroupIds": [backend["LambdaSecurityGroupId"]]}
    if "ConfigBucketName" in backend:
        top["remote_env"] = f"s3://{backend['ConfigBucketName']}/{found.stage}.json"
    if "MediaBucketName" in backend:
        env["MEDIA_BUCKET"] = backend["MediaBucketName"]
    if "StripeSecretArn" in backend:
        env["STRIPE_SECRET_ARN"] = backend["StripeSecretArn"]
    if "StateTableName" in backend:
        env["STATE_TABLE"] = backend["StateTableName"]
    if "DatabaseUrl" in data:
        env["DATABASE_URL"] = data["DatabaseUrl"]
        env["DATABASE_IAM_AUTH"] = "true"
        env["DATABASE_SECRET_ARN"] = None  # IAM sign-in (proxy or cluster): no password read
        env["DATABASE_PAUSES"] = data.get("DatabasePauses", "false")
        # No cache in the small profile: none named, none kept from a busy deployment.
        env["REDIS_URL"] = data.get("RedisUrl")
    if "CognitoIssuer" in auth:
        env["COGNITO_ISSUER"] = auth["CognitoIssuer"]
    if "SpaClientId" in auth:
        env["COGNITO_CLIENT_IDS"] = auth["SpaClientId"]
    if found.domain:
        env["ALLOWED_HOSTS"] = f"{found.domain},.execute-api.{found.region}.amazonaws.com"
        env["CSRF_TRUSTED_ORIGINS"] = f"https://{found.domain}"
        env["STATIC_URL"] = f"https://{found.domain}/static/"
    if "StaticBucketName" in front:
        env["STATIC_BUCKET"] = front["StaticBucketName"]
    return top, env


def resolved(settings: dict, stage: str) -> dict:
    """The stage's settings as Zappa sees them (`extends` is a shallow update)."""
    config = settings[stage]
    parent = config.get("extends")
    return {**resolved(settings, parent), **config} if parent else dict(config)


def apply(settings: dict, stage: str, top: dict[str, Any], env: dict[str, str | None]
          ) -> dict:
    """A copy of zappa_settings.json's content with the stage's values set. A stage that
    inherits a nested setting (`extends`) gets its own full copy, changed."""
    settings = json.loads(json.dumps(settings))
    config = settings[stage]
    config.update(top)
    if env:
        merged = dict(resolved(settings, stage).get("aws_environment_variables", {}))
        for key, value in env.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        config["aws_environment_variables"] = merged
    return settings


def placeholders(settings: dict, stage: str) -> list[str]:
    """Dotted names of the stage's settings that still hold REPLACE-ME."""
    found = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        elif isinstance(value, str) and PLACEHOLDER in value:
            found.append(path)

    walk(resolved(settings, stage), "")
    return sorted(set(found))


# Filled by hand, never by a stack: what each one is.
BY_HAND = {"aws_environment_variables.STRIPE_PUBLISHABLE_KEY":
           "pk_live_… from Stripe's dashboard (DEPLOY.md, \"Stripe\")"}


def dumps(value: Any, indent: int = 0, room: int = WIDTH) -> str:
    """JSON in zappa_settings.json's layout: a value on one line when it fits, lists of
    strings packed to the line width, everything else one item per line."""
    flat = json.dumps(value)
    if len(flat) <= room - indent or not isinstance(value, dict | list):
        return flat
    pad, inner = " " * indent, " " * (indent + 4)
    if isinstance(value, dict):
        items = [f'{inner}{json.dumps(k)}: '
                 f'{dumps(v, indent + 4, WIDTH - len(json.dumps(k)) - 2)}'
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if all(not isinstance(v, dict | list) for v in value):
        lines, line = [], ""
        for item in (json.dumps(v) for v in value):
            candidate = f"{line} {item}," if line else f"{item},"
            if line and len(inner) + len(candidate) > WIDTH:
                lines.append(line)
                candidate = f"{item},"
            line = candidate
        lines.append(line)
        body = "\n".join(inner + text for text in lines)[:-1]  # no comma after the last
        return f"[\n{body}\n{pad}]"
    return "[\n" + ",\n".join(inner + dumps(v, indent + 4) for v in value) + f"\n{pad}]"


def settings_command(found: StageOutputs, path: Path, *, write: bool) -> int:
    current = json.loads(path.read_text())
    top, env = zappa_values(found)
    updated = apply(current, found.stage, top, env)
    text = dumps(updated) + "\n"
    if write:
        path.write_text(text)
        print(f"{path.name}: {found.stage} updated from {len(found.outputs)} stacks")
    else:
        print(json.dumps({"stage": found.stage, "settings": top,
                          "aws_environment_variables": env}, indent=2))
    left = placeholders(updated, found.stage)
    for name in left:
        why = BY_HAND.get(name, "no stack output fills it: deploy its stack, or set it")
        print(f"  still {PLACEHOLDER}: {name} — {why}", file=sys.stderr)
    return 1 if set(left) - set(BY_HAND) else 0


def spa_env(found: StageOutputs) -> str:
    auth = found.outputs.get("auth", {})
    if not {"AuthBase", "SpaClientId"} <= set(auth):
        raise SystemExit(f"no outputs from {stack_name(found.stage, 'auth')}: deploy it first")
    return (f"export VITE_AUTH_BASE={auth['AuthBase']}\n"
            f"export VITE_AUTH_CLIENT_ID={auth['SpaClientId']}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=["deploy", "settings", "spa-env"])
    parser.add_argument("--stage", default="production")
    parser.add_argument("--domain", default="")
    parser.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    parser.add_argument("--database-engine", choices=["aurora-serverless", "rds"], default="",
                        help="instead of the profile's (keep the one holding your data)")
    parser.add_argument("--min-capacity", default="", help="Aurora ACU minimum (0: pauses)")
    parser.add_argument("--multi-az", action="store_true")
    parser.add_argument("--nat-gateways", type=int, choices=[1, 2], default=1)
    parser.add_argument("--cache-engine", choices=["valkey", "redis"], default="valkey")
    parser.add_argument("--db-instance-class", default="db.t4g.micro")
    parser.add_argument("--auth-domain-prefix", default="")
    parser.add_argument("--secrets-manager-endpoint", action="store_true")
    parser.add_argument("--email-identity-arn", default="",
                        help="arn:aws:ses:REGION:ACCOUNT:identity/example.com")
    parser.add_argument("--email-from", default="",
                        help='sender of the sign-in codes, e.g. "Marquee <tickets@example.com>"')
    parser.add_argument("--vpc-id", default="")
    parser.add_argument("--vpc-cidr", default="10.0.0.0/16")
    parser.add_argument("--private-subnet-ids", default="")
    parser.add_argument("--private-route-table-ids", default="")
    parser.add_argument("--write", action="store_true", help="settings: write the file")
    parser.add_argument("--settings-file", type=Path, default=SETTINGS)
    args = parser.parse_args(argv)

    config = resolved(json.loads(args.settings_file.read_text()), args.stage)
    region = config["aws_region"]
    import boto3

    cf = boto3.session.Session(region_name=region).client("cloudformation")
    if args.command == "deploy":
        vpc = {}
        if args.vpc_id:
            vpc = {"VpcId": args.vpc_id, "VpcCidr": args.vpc_cidr,
                   "PrivateSubnetIds": args.private_subnet_ids,
                   "PrivateRouteTableIds": args.private_route_table_ids}
        options = Options(stage=args.stage, domain=args.domain, profile=args.profile,
                          multi_az=args.multi_az,
                          nat_gateways=args.nat_gateways, vpc_cidr=args.vpc_cidr,
                          cache_engine=args.cache_engine,
                          db_instance_class=args.db_instance_class,
                          auth_domain_prefix=args.auth_domain_prefix,
                          secrets_manager_endpoint=args.secrets_manager_endpoint,
                          email_identity_arn=args.email_identity_arn,
                          email_from=args.email_from, vpc=vpc,
                          database_engine=args.database_engine,
                          min_capacity=args.min_capacity)
        outputs = deploy_all(cf, options)
        print(json.dumps(outputs, indent=2))
        return 0
    found = StageOutputs.read(cf, args.stage, region)
    if args.command == "spa-env":
        sys.stdout.write(spa_env(found))
        return 0
    return settings_command(found, args.settings_file, write=args.write)


if __name__ == "__main__":
    sys.exit(main())
