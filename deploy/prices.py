"""The rates `make cost` bills with: USD, on-demand, before tax and free tier.

Each rate says where it comes from, when it was read, and for which region. "eu-west-3"
rates were read from the AWS Price List bulk-API offer files for Europe (Paris) (published
2026-09-11 to 2026-10-08, extracted 2026-10-09; DEPLOY.md's earlier bill). Rates marked
"us-east-1" were not in the sources reachable here for Paris: they are AWS's US East list
prices as the service's pricing page (the URL given) publishes them, entered 2026-12-05
without that page being reachable from here to re-read it; Paris is the same or a few per
cent higher. Rates marked "global" are the same in every commercial region. Check the AWS
Pricing Calculator before budgeting; change a rate here (with its source), not in cost.py.
"""

from __future__ import annotations

from dataclasses import dataclass

OFFER_FILES = "AWS Price List offer files, eu-west-3"
READ_PARIS = "2026-10-09"
RECORDED = "2026-12-05"


@dataclass(frozen=True)
class Rate:
    usd: float
    unit: str
    region: str  # eu-west-3, us-east-1 (Paris not read), global
    source: str
    date: str


def _paris(usd: float, unit: str, service: str) -> Rate:
    return Rate(usd, unit, "eu-west-3", f"{OFFER_FILES} ({service})", READ_PARIS)


def _us(usd: float, unit: str, page: str) -> Rate:
    return Rate(usd, unit, "us-east-1", f"https://aws.amazon.com/{page}/pricing/", RECORDED)


def _global(usd: float, unit: str, page: str, date: str = RECORDED) -> Rate:
    return Rate(usd, unit, "global", f"https://aws.amazon.com/{page}/pricing/", date)


PRICES: dict[str, Rate] = {
    # Network
    "nat_gateway_hour": _paris(0.05, "hour", "AmazonVPC NatGateway-Hours"),
    "nat_gateway_gb": _paris(0.05, "GB", "AmazonVPC NatGateway-Bytes"),
    "public_ipv4_hour": _global(0.005, "hour", "vpc", READ_PARIS),
    "ec2_hour:t4g.nano": _us(0.0042, "hour", "ec2"),
    "ec2_hour:t4g.micro": _us(0.0084, "hour", "ec2"),
    "ec2_hour:t4g.small": _us(0.0168, "hour", "ec2"),
    "ebs_gp3_gb_month": _us(0.08, "GB-month", "ebs"),
    "internet_out_gb": _us(0.09, "GB", "ec2"),  # EC2 data transfer out (the NAT instance)
    "interface_endpoint_hour": _us(0.01, "hour per AZ", "privatelink"),
    # Database
    "rds_hour:db.t4g.micro": _paris(0.018, "hour", "AmazonRDS PostgreSQL Single-AZ"),
    "rds_hour:db.t4g.small": _us(0.032, "hour", "rds/postgresql"),
    "rds_hour:db.t4g.medium": _us(0.065, "hour", "rds/postgresql"),
    "rds_gp3_gb_month": _paris(0.133, "GB-month", "AmazonRDS gp3"),
    "rds_proxy_vcpu_hour": _us(0.015, "vCPU-hour (ACU-hour for Serverless v2)", "rds/proxy"),
    "aurora_acu_hour": _us(0.12, "ACU-hour", "rds/aurora"),
    "aurora_storage_gb_month": _us(0.10, "GB-month", "rds/aurora"),
    "aurora_io_million": _us(0.20, "million I/O requests", "rds/aurora"),
    # Cache and state
    "elasticache_valkey_gb_hour": _us(0.084, "GB-hour (100 MB minimum)", "elasticache"),
    "elasticache_redis_gb_hour": _us(0.125, "GB-hour (1 GB minimum)", "elasticache"),
    "elasticache_ecpu_million": _us(0.0023, "million ECPUs", "elasticache"),
    "dynamodb_gb_month": _us(0.25, "GB-month", "dynamodb"),
    "dynamodb_write_million": _us(0.625, "million write request units", "dynamodb"),
    "dynamodb_read_million": _us(0.125, "million read request units", "dynamodb"),
    # Secrets, logs, storage
    "secret_month": _paris(0.40, "secret-month", "AWSSecretsManager"),
    "logs_ingest_gb": _us(0.50, "GB ingested", "cloudwatch"),
    "s3_gb_month": _us(0.023, "GB-month", "s3"),
    # Requests
    "lambda_gb_second": _us(0.0000166667, "GB-second (x86_64)", "lambda"),
    "lambda_request_million": _us(0.20, "million requests", "lambda"),
    "apigw_rest_million": _us(3.50, "million REST API calls", "api-gateway"),
    "cloudfront_https_10k": _us(0.012, "10,000 HTTPS requests (Europe edge)", "cloudfront"),
    "cloudfront_gb_out": _us(0.085, "GB out (Europe edge, first 10 TB)", "cloudfront"),
    "ses_thousand": _global(0.10, "1,000 emails", "ses"),
}


def rate(key: str) -> Rate:
    try:
        return PRICES[key]
    except KeyError:
        raise SystemExit(f"deploy/prices.py has no rate {key!r}: add it, with its source") \
            from None
