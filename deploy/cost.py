"""What a deployment costs: `make cost PROFILE=small|busy` (DEPLOY.md, "Cost").

    python deploy/cost.py --profile small            # the bill, as text
    python deploy/cost.py --markdown                 # DEPLOY.md's cost section, both profiles

The idle bill is read from the templates as `make infra` would deploy them for the profile
(deploy/infra.py: its parameters, the templates' defaults for the rest): every resource
that the conditions keep and that bills while nobody buys a ticket is one line, named by
its stack and logical id, and priced with deploy/prices.py. The function itself and its
scheduled events come from zappa_settings.json. The marginal cost of 1,000 orders adds
what each order makes the stack do: API Gateway calls, Lambda GB-seconds from the bench's
measured durations (bench/RESULTS.md) at the configured memory, database capacity-seconds,
the state table, SES, data transfer. Stripe's fees are apart. Figures that are assumptions
(not measured, not in a template) are named ASSUMED below and printed as such.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # as a script (make cost) and as a module (tests)
    from deploy import infra
    from deploy.prices import rate
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from deploy import infra
    from deploy.prices import rate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
HOURS = 730  # a month, as AWS bills it
MINUTES = HOURS * 60
PARTS = (*infra.PARTS, "frontend")

# ASSUMED (not measured here, not in a template): each is printed where it is used.
IDLE_DATA_GB = 1.0            # a small venue's database (Aurora bills what is stored)
STATIC_GB = 0.1               # SPA + Django static files + a few posters in S3
JOB_IDLE_MS = 10              # the per-minute job with nothing due (no database connection)
LOG_BYTES_PER_RUN = 400       # START/END/REPORT lines + the job's JSON line
STRIPE_MS = 400               # a Stripe API round trip inside pay / the webhook's work
SES_MS = 150                  # one SES SendEmail from the email task
DB_SECONDS_PER_ORDER = 0.02   # ~10 statements (bench: 4 for the reservation), 2 ms each
AWAKE_ACU = 0.5               # Aurora's capacity when resumed with MinCapacity 0
IO_PER_ORDER = 50             # Aurora page reads/writes of one order's statements
KB_PER_API_CALL = 4           # JSON responses, compressed
KB_TO_STRIPE = 10             # per order, through the NAT
EDGE_READS_PER_ORDER = 6      # list, show, performance pages read before buying (CloudFront)
EMAILS_PER_ORDER = 1          # the confirmation with the tickets


@dataclass
class Line:
    item: str
    resource: str       # "stack:LogicalId" or "zappa_settings.json …"
    quantity: float
    unit: str
    rate_key: str

    @property
    def usd(self) -> float:
        return self.quantity * rate(self.rate_key).usd


@dataclass
class Stack:
    """One template with the parameters it would be deployed with, conditions evaluated."""

    part: str
    template: dict
    params: dict[str, str]
    _conditions: dict[str, bool] = field(default_factory=dict)

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return self.params.get(arg, arg)
            if key == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2])
        return node

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = self._evaluate(self.template["Conditions"][name])
        return self._conditions[name]

    def _evaluate(self, node: Any) -> bool:
        (key, arg), = node.items()
        if key == "Fn::Equals":
            return str(self.value(arg[0])) == str(self.value(arg[1]))
        if key == "Fn::Not":
            return not self._evaluate(arg[0])
        if key == "Fn::And":
            return all(self._evaluate(a) for a in arg)
        if key == "Fn::Or":
            return any(self._evaluate(a) for a in arg)
        if key == "Condition":
            return self.condition(arg)
        raise ValueError(f"condition {key} not understood")

    def resources(self) -> Iterator[tuple[str, str, dict]]:
        """(logical id, type, properties with Ref/If resolved one level) of what is kept."""
        for name, resource in self.template["Resources"].items():
            if "Condition" in resource and not self.condition(resource["Condition"]):
                continue
            props = {k: self.value(v) for k, v in resource.get("Properties", {}).items()}
            yield name, resource["Type"], props

    def ref(self, name: str) -> str:
        return f"{self.part}:{name}"


# Stand-ins for the outputs one stack passes to the next: the bill does not depend on them.
_OUTPUTS = {"network": {"VpcId": "vpc-0", "VpcCidr": "10.0.0.0/16",
                        "PrivateSubnetIds": "subnet-a,subnet-b",
                        "PrivateRouteTableIds": "rtb-a,rtb-b"},
            "backend": {"LambdaSecurityGroupId": "sg-0",
                        "LambdaRoleArn": "arn:aws:iam::123456789012:role/marquee-lambda"}}


# A sender for the auth stack's parameters (Cognito emails its codes through SES); what it
# costs is in the SES line, per email.
_EMAIL_IDENTITY = "arn:aws:ses:eu-west-3:123456789012:identity/tickets.example.com"


def stacks(profile: str, *, load: Callable[[str], str] = infra.read_template,
           options: infra.Options | None = None) -> dict[str, Stack]:
    from cfnlint.decode import cfn_yaml

    options = options or infra.Options(domain="tickets.example.com", profile=profile,
                                       email_identity_arn=_EMAIL_IDENTITY)
    found = {}
    for part in PARTS:
        template = json.loads(json.dumps(cfn_yaml.loads(load(part))))
        params = {name: str(p.get("Default", "")) for name, p in
                  template.get("Parameters", {}).items()}
        if part in infra.PARTS:
            params.update(infra.parameters(part, options, _OUTPUTS))
        found[part] = Stack(part, template, params)
    return found


def _zappa(stage: str = "production") -> dict:
    return infra.resolved(json.loads(infra.SETTINGS.read_text()), stage)


def _runs_per_month(expression: str) -> float:
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if not match:
        raise SystemExit(f"cost.py cannot count runs of {expression!r}")
    every = int(match[1]) * {"minute": 1, "hour": 60, "day": 1440}[match[2].rstrip("s")]
    return MINUTES / every


# --------------------------------------------------------------------------- idle

def idle_lines(found: dict[str, Stack], stage: str = "production") -> list[Line]:
    lines: list[Line] = []
    data = found["data"]
    launch_templates = {name: props for stack in found.values()
                        for name, kind, props in stack.resources()
                        if kind == "AWS::EC2::LaunchTemplate"}
    for stack in found.values():
        for name, kind, props in stack.resources():
            lines += _price(stack, name, kind, props, launch_templates, data)
    lines += _function_lines(stage)
    return lines


def _price(stack: Stack, name: str, kind: str, props: dict, launch_templates: dict,
           data: Stack) -> list[Line]:
    ref = stack.ref(name)
    if kind == "AWS::EC2::NatGateway":
        return [Line("NAT gateway", ref, HOURS, "hours", "nat_gateway_hour")]
    if kind == "AWS::EC2::EIP":
        return [Line("Public IPv4 address (the NAT's)", ref, HOURS, "hours", "public_ipv4_hour")]
    if kind == "AWS::AutoScaling::AutoScalingGroup":
        template = launch_templates[props["LaunchTemplate"]["LaunchTemplateId"]["Ref"]]
        spec = template["LaunchTemplateData"]
        count = int(stack.value(props["DesiredCapacity"]))
        kind_ = stack.value(spec["InstanceType"])
        volume = sum(float(stack.value(d["Ebs"]["VolumeSize"]))
                     for d in spec.get("BlockDeviceMappings", []))
        return [Line(f"NAT instance {kind_} (auto-scaling group of {count})", ref,
                     count * HOURS, "hours", f"ec2_hour:{kind_}"),
                Line("NAT instance root volume (gp3)", ref, count * volume, "GB-month",
                     "ebs_gp3_gb_month")]
    if kind == "AWS::RDS::DBInstance":
        klass = props["DBInstanceClass"]
        if klass == "db.serverless":
            return []  # billed by the cluster's capacity
        copies = 2 if str(props.get("MultiAZ")).lower() == "true" else 1
        return [Line(f"RDS PostgreSQL {klass}" + (", Multi-AZ" if copies == 2 else ""),
                     ref, copies * HOURS, "hours", f"rds_hour:{klass}"),
                Line("RDS gp3 storage", ref, copies * float(props["AllocatedStorage"]),
                     "GB-month", "rds_gp3_gb_month")]
    if kind == "AWS::RDS::DBCluster":
        scaling = {k: stack.value(v) for k, v in props["ServerlessV2ScalingConfiguration"].items()}
        minimum = float(scaling["MinCapacity"])
        what = "paused when idle" if minimum == 0 else f"at least {minimum:g} ACU"
        return [Line(f"Aurora Serverless v2 capacity ({what})", ref, minimum * HOURS,
                     "ACU-hours", "aurora_acu_hour"),
                Line(f"Aurora storage (ASSUMED {IDLE_DATA_GB:g} GB stored; backups of "
                     "up to that size are free)", ref, IDLE_DATA_GB, "GB-month",
                     "aurora_storage_gb_month")]
    if kind == "AWS::RDS::DBProxy":
        db = dict((n, p) for n, k, p in data.resources() if k in
                  ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"))
        if "Cluster" in db:  # Serverless v2: per ACU, at least 8
            units = max(8.0, float(data.params["MinCapacity"]))
            return [Line("RDS Proxy (Serverless v2: 8 ACU minimum)", ref, units * HOURS,
                         "ACU-hours", "rds_proxy_vcpu_hour")]
        return [Line("RDS Proxy (per vCPU of the instance, at least 2)", ref, 2 * HOURS,
                     "vCPU-hours", "rds_proxy_vcpu_hour")]
    if kind == "AWS::ElastiCache::ServerlessCache":
        valkey = props["Engine"] == "valkey"
        minimum = 0.1 if valkey else 1.0
        return [Line(f"ElastiCache Serverless {props['Engine']} ({minimum:g} GB minimum)",
                     ref, minimum * HOURS, "GB-hours",
                     "elasticache_valkey_gb_hour" if valkey else "elasticache_redis_gb_hour")]
    if kind == "AWS::SecretsManager::Secret":
        label = props.get("Name", name)
        label = label.get("Fn::Sub", name) if isinstance(label, dict) else label
        return [Line(f"Secrets Manager secret {label}".replace("${Stage}", "STAGE"), ref, 1,
                     "secret-months", "secret_month")]
    if kind == "AWS::EC2::VPCEndpoint" and props.get("VpcEndpointType") == "Interface":
        azs = len(stack.value(props["SubnetIds"]).split(",")) \
            if isinstance(stack.value(props["SubnetIds"]), str) else 2
        return [Line("Interface endpoint", ref, azs * HOURS, "AZ-hours",
                     "interface_endpoint_hour")]
    if kind == "AWS::DynamoDB::Table":
        return [Line("DynamoDB state table, on demand (< 1 MB stored)", ref, 0.001,
                     "GB-month", "dynamodb_gb_month")]
    if kind == "AWS::S3::Bucket" and name in ("SpaBucket", "StaticBucket"):
        return [Line(f"S3 {name} (ASSUMED {STATIC_GB / 2:g} GB)", ref, STATIC_GB / 2,
                     "GB-month", "s3_gb_month")]
    return []


def _function_lines(stage: str) -> list[Line]:
    """The scheduled events run whether or not anyone buys: they are the idle traffic."""
    config = _zappa(stage)
    memory_gb = config["memory_size"] / 1024
    lines = []
    for event in config.get("events", []):
        runs = _runs_per_month(event["expression"])
        name = event["function"].rsplit(".", 1)[-1]
        where = f"zappa_settings.json events {name}"
        lines += [
            Line(f"Lambda {name}: {runs:,.0f} runs", where, runs / 1e6, "million requests",
                 "lambda_request_million"),
            Line(f"Lambda {name}: GB-s at {config['memory_size']} MB × ASSUMED "
                 f"{JOB_IDLE_MS} ms with nothing due", where,
                 runs * memory_gb * JOB_IDLE_MS / 1000, "GB-s", "lambda_gb_second"),
            Line(f"DynamoDB: {name} reads what is due", where, runs / 1e6,
                 "million read units", "dynamodb_read_million"),
            Line(f"CloudWatch Logs: {name}'s lines", where,
                 runs * LOG_BYTES_PER_RUN / 1e9, "GB", "logs_ingest_gb"),
        ]
    return lines


# --------------------------------------------------------------------------- per order

def bench_ms(label: str, results: Path = RESULTS) -> float:
    """A warm median from bench/RESULTS.md's table, in ms ("warm POST /api/v1/tickets/")."""
    for row in results.read_text().splitlines():
        cells = [c.strip() for c in row.strip("|").split("|")]
        if cells and cells[0].startswith(label):
            return float(cells[1].split()[0].replace(",", ""))
    raise SystemExit(f"bench/RESULTS.md has no row {label!r}")


def order_lines(found: dict[str, Stack], orders: int = 1000, stage: str = "production",
                results: Path = RESULTS) -> list[Line]:
    config = _zappa(stage)
    memory_gb = config["memory_size"] / 1024
    post = bench_ms("warm POST /api/v1/tickets/", results)
    read = bench_ms("warm GET /api/v1/shows/{slug}/", results)
    # Origin calls of one order, with their billed duration (rounded up to the ms).
    calls = [("POST /tickets/ (reserve)", 1, post),
             ("POST /tickets/{id}/pay/ (+ ASSUMED Stripe round trip)", 1, post + STRIPE_MS),
             ("GET /tickets/{id}/ (the SPA waits for the confirmation)", 2, read),
             ("POST Stripe webhook (+ ASSUMED Stripe round trip)", 1, post + STRIPE_MS)]
    http = sum(n for _, n, _ in calls)
    gbs = sum(n * math.ceil(ms) for _, n, ms in calls) / 1000 * memory_gb
    gbs += EMAILS_PER_ORDER * (SES_MS + math.ceil(post)) / 1000 * memory_gb
    invocations = http + EMAILS_PER_ORDER
    lines = [
        Line(f"API Gateway: {http} calls per order", "zappa (REST API)", orders * http / 1e6,
             "million calls", "apigw_rest_million"),
        Line(f"Lambda: {invocations} invocations per order (+ the email task)",
             "zappa_settings.json", orders * invocations / 1e6, "million requests",
             "lambda_request_million"),
        Line(f"Lambda GB-s: bench medians (POST {post:g} ms, GET {read:g} ms) at "
             f"{config['memory_size']} MB", "bench/RESULTS.md", orders * gbs, "GB-s",
             "lambda_gb_second"),
        Line(f"CloudFront: {http + EDGE_READS_PER_ORDER} requests per order (ASSUMED "
             f"{EDGE_READS_PER_ORDER} page reads at the edge)", "frontend:Distribution",
             orders * (http + EDGE_READS_PER_ORDER) / 1e4, "10k requests",
             "cloudfront_https_10k"),
        Line(f"CloudFront out: ASSUMED {KB_PER_API_CALL} KB per request",
             "frontend:Distribution",
             orders * (http + EDGE_READS_PER_ORDER) * KB_PER_API_CALL / 1e6, "GB",
             "cloudfront_gb_out"),
        Line(f"SES: {EMAILS_PER_ORDER} email per order", "backend:LambdaExecutionRole",
             orders * EMAILS_PER_ORDER / 1000, "1,000 emails", "ses_thousand"),
        Line("DynamoDB: the order's due-work and throttle writes (3)",
             "backend:StateTable", orders * 3 / 1e6, "million write units",
             "dynamodb_write_million"),
    ]
    data, network = found["data"], found["network"]
    if not data.condition("HasCache"):  # throttles in the state table (THROTTLE_STORE)
        lines.append(Line(f"DynamoDB: throttle windows read, 2 per origin call ({http})",
                          "backend:StateTable", orders * http * 2 / 1e6,
                          "million read units", "dynamodb_read_million"))
    if network.condition("UseNatGateway"):
        lines.append(Line(f"NAT gateway data: ASSUMED {KB_TO_STRIPE} KB to Stripe per order",
                          "network:NatGatewayA", orders * KB_TO_STRIPE / 1e6, "GB",
                          "nat_gateway_gb"))
    else:
        lines.append(Line(f"NAT instance out: ASSUMED {KB_TO_STRIPE} KB to Stripe per order",
                          "network:NatInstanceGroup", orders * KB_TO_STRIPE / 1e6, "GB",
                          "internet_out_gb"))
    if data.condition("IsAurora"):
        lines += [
            Line(f"Aurora capacity: ASSUMED {DB_SECONDS_PER_ORDER} s at {AWAKE_ACU} ACU "
                 "per order", "data:Cluster",
                 orders * DB_SECONDS_PER_ORDER * AWAKE_ACU / 3600, "ACU-hours",
                 "aurora_acu_hour"),
            Line(f"Aurora I/O: ASSUMED {IO_PER_ORDER} per order", "data:Cluster",
                 orders * IO_PER_ORDER / 1e6, "million I/O", "aurora_io_million"),
        ]
    return lines


def wake_lines(found: dict[str, Stack]) -> list[Line]:
    """What waking a paused database costs (small): per unscheduled wake-up, and per
    scheduled wake window (ahead of doors and on-sales, project/pending_work.py)."""
    data = found["data"]
    if not data.condition("Pauses"):
        return []
    idle = float(data.params["SecondsUntilAutoPause"])
    from project.pending_work import WAKE_FOR

    return [
        Line(f"a wake-up: {AWAKE_ACU} ACU until it pauses again ({idle:g} s idle + ~30 s)",
             "data:Cluster", AWAKE_ACU * (idle + 30) / 3600, "ACU-hours", "aurora_acu_hour"),
        Line(f"a scheduled wake window ({WAKE_FOR.total_seconds() / 3600:g} h, doors or "
             "on-sale)", "data:Cluster",
             AWAKE_ACU * (WAKE_FOR.total_seconds() + idle) / 3600, "ACU-hours",
             "aurora_acu_hour"),
    ]


# --------------------------------------------------------------------------- output

@dataclass
class Bill:
    profile: str
    idle: list[Line]
    orders: list[Line]
    wakes: list[Line]

    @property
    def idle_usd(self) -> float:
        return sum(line.usd for line in self.idle)

    @property
    def per_1000_usd(self) -> float:
        return sum(line.usd for line in self.orders)

    @property
    def per_1000_without_email_usd(self) -> float:
        return sum(line.usd for line in self.orders if line.rate_key != "ses_thousand")


def bill(profile: str, *, load: Callable[[str], str] = infra.read_template,
         options: infra.Options | None = None) -> Bill:
    found = stacks(profile, load=load, options=options)
    return Bill(profile, idle_lines(found), order_lines(found), wake_lines(found))


def _rate_text(key: str) -> str:
    r = rate(key)
    return f"{r.usd:g} /{r.unit}" + ("" if r.region == "eu-west-3" else f" ({r.region})")


def text(result: Bill) -> str:
    out = [f"Marquee, profile {result.profile}: idle month ({HOURS} h), USD, on demand, "
           "before tax and free tier", ""]
    width = max(len(line.item) for line in result.idle + result.orders + result.wakes)

    def table(lines: list[Line]) -> None:
        for line in lines:
            out.append(f"  {line.item:<{width}}  {line.quantity:>12,.4g} {line.unit:<18} "
                       f"× {_rate_text(line.rate_key):<40} {line.usd:>9.4f}   {line.resource}")

    table(result.idle)
    out += [f"  {'IDLE TOTAL per month':<{width}}  {'':>74} {result.idle_usd:>9.2f}", "",
            "1,000 more orders (Stripe's fees apart):"]
    table(result.orders)
    out += [f"  {'PER 1,000 ORDERS':<{width}}  {'':>74} {result.per_1000_usd:>9.4f}",
            f"  {'  of which not SES':<{width}}  {'':>74} "
            f"{result.per_1000_without_email_usd:>9.4f}"]
    if result.wakes:
        out += ["", "Waking the paused database:"]
        table(result.wakes)
    out += ["", "Rates: deploy/prices.py (each with its source and date; eu-west-3 unless "
            "marked)."]
    return "\n".join(out) + "\n"


def markdown(bills: list[Bill]) -> str:
    """DEPLOY.md's cost tables (`python deploy/cost.py --markdown`)."""
    out = []
    for result in bills:
        out += [f"**Profile `{result.profile}`** — idle month: "
                f"**{result.idle_usd:.2f} USD**; 1,000 orders: "
                f"{result.per_1000_usd:.3f} USD ({result.per_1000_without_email_usd:.3f} "
                "without SES).", "",
                "| item | resource | quantity | rate (USD) | per month |",
                "|---|---|---|---|---|"]
        out += [f"| {line.item} | `{line.resource}` | {line.quantity:,.4g} {line.unit} | "
                f"{_rate_text(line.rate_key)} | {line.usd:.2f} |" for line in result.idle]
        out += [f"| **idle total** | | | | **{result.idle_usd:.2f}** |", "",
                "| per 1,000 orders | resource | quantity | rate (USD) | cost |",
                "|---|---|---|---|---|"]
        out += [f"| {line.item} | `{line.resource}` | {line.quantity:,.4g} {line.unit} | "
                f"{_rate_text(line.rate_key)} | {line.usd:.4f} |" for line in result.orders]
        out += [f"| **total** | | | | **{result.per_1000_usd:.4f}** |"]
        if result.wakes:
            out += ["", "| waking the paused database | resource | quantity | rate (USD) | "
                    "cost |", "|---|---|---|---|---|"]
            out += [f"| {line.item} | `{line.resource}` | {line.quantity:,.4g} {line.unit} "
                    f"| {_rate_text(line.rate_key)} | {line.usd:.4f} |"
                    for line in result.wakes]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profile", choices=sorted(infra.PROFILES),
                        default=infra.DEFAULT_PROFILE)
    parser.add_argument("--markdown", action="store_true",
                        help="DEPLOY.md's cost tables, both profiles")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown([bill("small"), bill("busy")]))
    else:
        sys.stdout.write(text(bill(args.profile)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
