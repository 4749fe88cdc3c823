"""The user pool of deploy/templates/auth.yaml on moto's cognito-idp (moto server): the
tokens it mints are the ones Marquee's verifier (project/auth.py) accepts or refuses.

moto's CloudFormation has no Cognito resources, so the pool, the SPA client and the
domain are created through the cognito-idp API with the template's own properties (CFN
and the API share their names; botocore refuses any that is not the API's), and the
template's outputs are computed from what was created — COGNITO_ISSUER included, which
must be the `iss` of the tokens.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from cfnlint.decode import cfn_yaml
from rest_framework import exceptions

from project import auth

from .conftest import ROOT

REGION = "eu-west-3"
ACCOUNT = "123456789012"
PASSWORD = "correct horse battery staple"  # 12+ characters, the template's policy
PARAMETERS = {"Stage": "production", "DomainName": "tickets.example.com",
              "AuthDomainPrefix": "", "FeaturePlan": "ESSENTIALS",
              "EmailIdentityArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/tickets.example.com",
              "EmailFrom": "Marquee <tickets@tickets.example.com>"}
# CloudFormation-only properties, and how the API takes them.
CFN_ONLY = {"EnabledMfas"}
RENAMED = {"UserPoolName": "PoolName"}


def template() -> dict:
    return json.loads(json.dumps(cfn_yaml.load(str(ROOT / "deploy/templates/auth.yaml"))))


NO_VALUE = object()  # AWS::NoValue: the property is left out


def resolve(node: Any, refs: dict[str, Any], conditions: dict[str, bool]) -> Any:
    """The intrinsic functions auth.yaml uses: Ref (AWS::NoValue too), Fn::Sub, Fn::If."""
    if isinstance(node, list):
        return [resolve(item, refs, conditions) for item in node]
    if not isinstance(node, dict):
        return node
    if node == {"Ref": "AWS::NoValue"}:
        return NO_VALUE
    if set(node) == {"Ref"}:
        return refs[node["Ref"]]
    if set(node) == {"Fn::If"}:
        name, yes, no = node["Fn::If"]
        return resolve(yes if conditions[name] else no, refs, conditions)
    if set(node) == {"Fn::Sub"}:
        text, extra = (node["Fn::Sub"], {}) if isinstance(node["Fn::Sub"], str) \
            else node["Fn::Sub"]
        scope = {**refs, **{k: resolve(v, refs, conditions) for k, v in extra.items()}}
        return re.sub(r"\$\{([\w:]+)\}", lambda m: str(scope[m.group(1)]), text)
    resolved = {key: resolve(value, refs, conditions) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not NO_VALUE}


@pytest.fixture(scope="module")
def cognito(moto_server):
    import os

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    yield boto3.session.Session(region_name=REGION).client("cognito-idp",
                                                            endpoint_url=moto_server)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def create_as_the_template_describes(cognito, parameters: dict[str, str]) -> dict[str, str]:
    """Pool, SPA client and domain from auth.yaml; its outputs, computed."""
    doc = template()
    refs: dict[str, Any] = {**parameters, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
    conditions = {"HasDomainPrefix": parameters["AuthDomainPrefix"] != "",
                  "HasEmailFrom": parameters["EmailFrom"] != ""}
    resources = doc["Resources"]

    props = resolve(resources["UserPool"]["Properties"], refs, conditions)
    api = {RENAMED.get(k, k): v for k, v in props.items() if k not in CFN_ONLY}
    pool = cognito.create_user_pool(**api)["UserPool"]
    if "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", []):
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool["Id"], MfaConfiguration=props["MfaConfiguration"],
            SoftwareTokenMfaConfiguration={"Enabled": True})
    refs["UserPool"] = pool["Id"]

    props = resolve(resources["SpaClient"]["Properties"], refs, conditions)
    refs["SpaClient"] = cognito.create_user_pool_client(**props)["UserPoolClient"]["ClientId"]

    props = resolve(resources["HostedDomain"]["Properties"], refs, conditions)
    cognito.create_user_pool_domain(**props)
    refs["HostedDomain"] = props["Domain"]
    return {name: resolve(output["Value"], refs, conditions)
            for name, output in doc["Outputs"].items()}


@pytest.fixture(scope="module")
def pool(cognito):
    """The stage's pool, and a customer who signed up and verified their email."""
    stage = f"t{uuid.uuid4().hex[:8]}"  # moto's state is shared by the whole session
    outputs = create_as_the_template_describes(cognito, {**PARAMETERS, "Stage": stage})
    email = f"ann-{stage}@example.com"
    cognito.admin_create_user(
        UserPoolId=outputs["UserPoolId"], Username=email, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email},
                        {"Name": "email_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=outputs["UserPoolId"], Username=email,
                                    Password=PASSWORD, Permanent=True)
    return {**outputs, "email": email}


def sign_in(cognito, pool_id: str, client_id: str, email: str) -> dict[str, str]:
    return cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]


@pytest.fixture
def marquee(settings, pool, moto_server):
    """Marquee's settings as `deploy/infra.py settings` writes them from the outputs;
    the JWKS is fetched from moto at the path Marquee derives from COGNITO_ISSUER."""
    settings.COGNITO_ISSUER = pool["CognitoIssuer"]
    settings.COGNITO_CLIENT_IDS = [pool["SpaClientId"]]
    derived = f"{settings.COGNITO_ISSUER}/.well-known/jwks.json"  # base.py's default
    settings.COGNITO_JWKS_URL = moto_server + urlsplit(derived).path
    settings.DEBUG = True  # moto serves http; fetch_jwks_url demands https otherwise
    auth.reset_jwks_cache()
    yield settings
    auth.reset_jwks_cache()


def test_outputs_are_what_moto_made(pool, cognito):
    described = cognito.describe_user_pool(UserPoolId=pool["UserPoolId"])["UserPool"]
    assert described["UsernameAttributes"] == ["email"]
    assert described["AutoVerifiedAttributes"] == ["email"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    client = cognito.describe_user_pool_client(UserPoolId=pool["UserPoolId"],
                                               ClientId=pool["SpaClientId"])["UserPoolClient"]
    assert "ClientSecret" not in client and client["AllowedOAuthFlows"] == ["code"]
    assert pool["AuthBase"].endswith(".auth.eu-west-3.amazoncognito.com")


def test_the_pool_signs_customers_in_with_an_emailed_code(pool, cognito):
    """What Cognito answers for the pool the template describes: email OTP is a first
    factor (USER_AUTH, Essentials plan), codes go out through SES from the given sender,
    and the SPA's client may use choice-based sign-in. (moto answers these settings but
    cannot run USER_AUTH itself; the local issuer's tests run the same two-step flow.)"""
    described = cognito.describe_user_pool(UserPoolId=pool["UserPoolId"])["UserPool"]
    assert "EMAIL_OTP" in described["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"]
    assert described["UserPoolTier"] == "ESSENTIALS"
    assert described["EmailConfiguration"] == {
        "EmailSendingAccount": "DEVELOPER", "SourceArn": PARAMETERS["EmailIdentityArn"],
        "From": PARAMETERS["EmailFrom"]}
    client = cognito.describe_user_pool_client(UserPoolId=pool["UserPoolId"],
                                               ClientId=pool["SpaClientId"])["UserPoolClient"]
    assert "ALLOW_USER_AUTH" in client["ExplicitAuthFlows"]
    assert not {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"} & set(
        client["ExplicitAuthFlows"])


def test_without_a_sender_the_codes_come_from_the_identitys_own_address(cognito):
    outputs = create_as_the_template_describes(
        cognito, {**PARAMETERS, "Stage": f"f{uuid.uuid4().hex[:8]}", "EmailFrom": ""})
    described = cognito.describe_user_pool(UserPoolId=outputs["UserPoolId"])["UserPool"]
    assert "From" not in described["EmailConfiguration"]


def test_an_access_token_minted_by_the_pool_is_accepted(marquee, pool, cognito):
    tokens = sign_in(cognito, pool["UserPoolId"], pool["SpaClientId"], pool["email"])
    claims = auth.verify_access_token(tokens["AccessToken"])
    assert claims["iss"] == pool["CognitoIssuer"]  # the template's output is the real iss
    assert claims["client_id"] == pool["SpaClientId"] and claims["token_use"] == "access"
    assert claims["sub"]
    # Access tokens carry no email (issue 13): the email comes from elsewhere.
    assert "email" not in claims


def test_an_id_token_is_refused(marquee, pool, cognito):
    tokens = sign_in(cognito, pool["UserPoolId"], pool["SpaClientId"], pool["email"])
    with pytest.raises(exceptions.AuthenticationFailed):
        auth.verify_access_token(tokens["IdToken"])


def test_a_token_of_another_client_is_refused(marquee, pool, cognito):
    other = cognito.create_user_pool_client(
        UserPoolId=pool["UserPoolId"], ClientName="another-app", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    tokens = sign_in(cognito, pool["UserPoolId"], other["UserPoolClient"]["ClientId"],
                     pool["email"])
    with pytest.raises(exceptions.AuthenticationFailed, match="another client"):
        auth.verify_access_token(tokens["AccessToken"])


def test_a_token_of_another_pool_is_refused(marquee, pool, cognito):
    """moto signs every pool's tokens with one key: only `iss` tells them apart."""
    other = create_as_the_template_describes(
        cognito, {**PARAMETERS, "Stage": f"o{uuid.uuid4().hex[:8]}"})
    email = f"bob-{uuid.uuid4().hex[:6]}@example.com"
    cognito.admin_create_user(UserPoolId=other["UserPoolId"], Username=email,
                              MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email}])
    cognito.admin_set_user_password(UserPoolId=other["UserPoolId"], Username=email,
                                    Password=PASSWORD, Permanent=True)
    marquee.COGNITO_CLIENT_IDS = [pool["SpaClientId"], other["SpaClientId"]]
    tokens = sign_in(cognito, other["UserPoolId"], other["SpaClientId"], email)
    with pytest.raises(exceptions.AuthenticationFailed):
        auth.verify_access_token(tokens["AccessToken"])


@pytest.mark.django_db
def test_a_reservation_with_a_token_of_the_pool(marquee, pool, cognito, make_performance):
    """The API with such a token: signed in, a customer created from `sub`, a free
    reservation confirmed; the ID token is a 401."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    tokens = sign_in(cognito, pool["UserPoolId"], pool["SpaClientId"], pool["email"])
    performance = make_performance(price_cents=0, capacity=10)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['AccessToken']}")
    reserved = api.post("/api/v1/tickets/", {"performance": performance.pk, "quantity": 2},
                        format="json")
    assert reserved.status_code == 201, reserved.content
    assert reserved.json()["status"] == "confirmed"
    sub = auth.verify_access_token(tokens["AccessToken"])["sub"]
    customer = get_user_model().objects.get(username=sub)
    assert not customer.is_staff
    assert api.get("/api/v1/tickets/").json()["count"] == 1
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['IdToken']}")
    assert api.get("/api/v1/tickets/").status_code == 401
