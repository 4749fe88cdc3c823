"""`make cost`: the bill read from the templates (deploy/cost.py, deploy/prices.py)."""

from __future__ import annotations

import re

import pytest

from deploy import cost, infra
from deploy.prices import PRICES

from .conftest import ROOT


@pytest.fixture(scope="module")
def small():
    return cost.bill("small")


@pytest.fixture(scope="module")
def busy():
    return cost.bill("busy")


def test_small_idles_under_twelve_dollars_a_month(small, busy):
    assert small.idle_usd <= 12.00
    assert busy.idle_usd > 60  # NAT gateway, RDS Proxy, an instance, the cache
    assert small.per_1000_without_email_usd <= 0.10


def test_every_line_names_a_resource_of_the_templates_or_the_function(small, busy):
    templates = {part: cost.stacks("busy")[part].template["Resources"] for part in cost.PARTS}
    for result in (small, busy):
        for line in result.idle + result.orders + result.wakes:
            part, _, name = line.resource.partition(":")
            if part in templates:
                assert name in templates[part], line
            else:
                assert line.resource.startswith(("zappa", "bench/")), line


def test_the_profiles_differ_where_they_should(small, busy):
    def items(result):
        return {line.resource for line in result.idle}

    assert "network:NatGatewayA" in items(busy) and "network:NatGatewayA" not in items(small)
    assert "network:NatInstanceGroup" in items(small)
    assert {"data:Proxy", "data:Cache", "data:Database"} <= items(busy)
    assert not {"data:Proxy", "data:Cache", "data:Database"} & items(small)
    capacity = next(line for line in small.idle if line.rate_key == "aurora_acu_hour")
    assert capacity.usd == 0  # paused when idle
    assert small.wakes and not busy.wakes


def test_changing_a_template_parameter_changes_the_bill(small):
    def load(part: str) -> str:
        text = infra.read_template(part)
        if part == "network":  # a bigger NAT instance
            text = text.replace("    Default: t4g.nano\n", "    Default: t4g.small\n")
        if part == "data":     # an Aurora that never pauses
            text = text.replace("  MinCapacity:\n    Type: Number\n    Default: 0\n",
                                "  MinCapacity:\n    Type: Number\n    Default: 0.5\n")
        return text

    options = infra.Options(domain="t.example.com", profile="small",
                            email_identity_arn=cost._EMAIL_IDENTITY)
    infra_min = dict(infra.PROFILES["small"])
    try:  # the profile names MinCapacity itself: let the template's default speak
        del infra.PROFILES["small"]["MinCapacity"]
        changed = cost.bill("small", load=load, options=options)
    finally:
        infra.PROFILES["small"] = infra_min
    delta = changed.idle_usd - small.idle_usd
    nat = (PRICES["ec2_hour:t4g.small"].usd - PRICES["ec2_hour:t4g.nano"].usd) * cost.HOURS
    acu = 0.5 * PRICES["aurora_acu_hour"].usd * cost.HOURS
    assert delta == pytest.approx(nat + acu)
    assert not changed.wakes  # it no longer pauses


def test_lambda_seconds_come_from_the_bench(small, tmp_path):
    results = tmp_path / "RESULTS.md"
    text = (ROOT / "bench" / "RESULTS.md").read_text()
    slower = re.sub(r"(\| warm POST /api/v1/tickets/[^|]*\| )[\d.]+ ms", r"\g<1>93.0 ms", text)
    results.write_text(slower)
    found = cost.stacks("small")
    before = {line.rate_key: line for line in cost.order_lines(found)}["lambda_gb_second"]
    after = {line.rate_key: line for line in cost.order_lines(
        found, results=results)}["lambda_gb_second"]
    assert after.quantity > before.quantity


def test_every_rate_says_where_and_when_it_comes_from():
    for key, rate in PRICES.items():
        assert rate.source and re.fullmatch(r"\d{4}-\d{2}-\d{2}", rate.date), key
        assert rate.region in ("eu-west-3", "us-east-1", "global"), key


def test_deploy_md_cost_section_is_the_tools_output():
    text = (ROOT / "DEPLOY.md").read_text()
    generated = cost.markdown([cost.bill("small"), cost.bill("busy")])
    assert generated.strip() in text, "regenerate: python deploy/cost.py --markdown"


def test_make_cost_prints_the_bill(capsys):
    assert cost.main(["--profile", "small"]) == 0
    out = capsys.readouterr().out
    assert "IDLE TOTAL per month" in out and "PER 1,000 ORDERS" in out
