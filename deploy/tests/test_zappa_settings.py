"""zappa_settings.json: the scheduled events reach our functions, the Stripe configuration
is named (never its secrets), and the IAM role reads only the secrets it needs."""

from __future__ import annotations

import json

import pytest
from cfnlint.decode import cfn_yaml

from deploy.release import Stage

from .conftest import ROOT
from .test_templates import role_statements

SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text())
STAGES = [name for name in SETTINGS if not name.startswith("_")]


def stage_settings(stage: str) -> dict:
    config = SETTINGS[stage]
    if "extends" in config:  # Zappa's stage inheritance: a shallow update
        return {**stage_settings(config["extends"]), **config}
    return config


def rule_name(event: dict, stage: str, index: int = 0) -> str:
    """The EventBridge rule name `zappa schedule` gives the event (zappa.core)."""
    from zappa.core import Zappa

    zappa = object.__new__(Zappa)  # no AWS session: the naming needs none
    return zappa.get_scheduled_event_name(event, event["function"],
                                          Stage.from_zappa_settings(stage).function_name,
                                          index)


def events(stage: str) -> list[dict]:
    return stage_settings(stage)["events"]


def test_holds_are_released_every_minute_in_every_stage():
    for stage in STAGES:
        schedule = {e["function"]: e["expression"] for e in events(stage)}
        assert schedule["project.lambda_handler.release_expired_holds"] == "rate(1 minute)"
        assert schedule["project.lambda_handler.purge_idempotency_keys"] == "rate(1 hour)"
        assert schedule["project.lambda_handler.expire_gift_cards"] == "rate(1 day)"


@pytest.mark.parametrize("stage", STAGES)
def test_each_scheduled_function_is_found_from_its_rule_name(stage):
    """Zappa's handler takes the function from the rule name, after its last "-"; a rule
    name is at most 64 characters, so a long stage or function name must still work."""
    for event in events(stage):
        name = rule_name(event, stage)
        assert len(name) <= 64
        function = name.split("-")[-1]
        assert function == event["function"]
        module, attribute = function.rsplit(".", 1)
        assert module == "project.lambda_handler"
        source = (ROOT / "project" / "lambda_handler.py").read_text()
        assert f"\ndef {attribute}(event" in source, attribute


@pytest.mark.parametrize("stage", STAGES)
def test_stripe_is_configured_by_name_never_by_secret(stage):
    env = stage_settings(stage)["aws_environment_variables"]
    assert env["STRIPE_SECRET_ARN"].startswith(
        f"arn:aws:secretsmanager:eu-west-3:123456789012:secret:marquee/{stage}/stripe")
    assert env["STRIPE_PUBLISHABLE_KEY"].startswith("pk_")
    assert int(env["HOLD_MINUTES"]) > 0
    assert not {"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"} & set(env)
    assert "STRIPE_API_BASE" not in env  # the default, https://api.stripe.com


def test_the_role_reads_exactly_the_database_and_stripe_secrets():
    template = cfn_yaml.load(str(ROOT / "deploy" / "templates" / "backend.yaml"))
    statements = role_statements(template)
    reads = [s for s in statements if "secretsmanager:GetSecretValue" in (
        s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    assert {s["Sid"]: s["Resource"] for s in reads} == {
        "DatabaseSecret": {"Ref": "DatabaseSecretArn"},
        "StripeSecret": {"Ref": "StripeSecret"},
    }
    # The database secret only when the database is reached with a password (no data
    # stack): with the data stack's proxy the role signs in with IAM instead.
    conditional = [s for policy in template["Resources"]["LambdaExecutionRole"][
        "Properties"]["Policies"] for s in policy["PolicyDocument"]["Statement"]
        if "Fn::If" in s]
    assert [(s["Fn::If"][0], s["Fn::If"][1]["Sid"]) for s in conditional] == [
        ("HasDatabaseSecret", "DatabaseSecret"), ("HasEmailIdentity", "SendOrderEmails")]
    by_sid = {s["Sid"]: s for s in statements}
    # Email from the one sender identity; invocations of this function only.
    assert by_sid["SendOrderEmails"]["Action"] == "ses:SendEmail"
    assert by_sid["SendOrderEmails"]["Resource"] == {"Ref": "EmailIdentityArn"}
    assert by_sid["InvokeItself"]["Resource"]["Fn::Sub"].endswith(
        ":function:marquee-${Stage}:*")
    assert all(s["Action"] == "secretsmanager:GetSecretValue" for s in reads)
    secret = template["Resources"]["StripeSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    # No value in the template: it would be readable by anyone who can read the stack.
    assert not {"SecretString", "GenerateSecretString"} & set(secret["Properties"])
    assert secret["DeletionPolicy"] == "Retain"
    assert template["Outputs"]["StripeSecretArn"]["Value"] == {"Ref": "StripeSecret"}
