"""Sign-in with tokens minted by Cognito (moto's cognito-idp, as a server: no internet).

Marquee's verifier checks them against the JWKS that moto serves for the pool, the
customer's email comes from GetUser once per sign-in, ID tokens and other clients' tokens
are refused, and a reservation goes through with such a token.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import boto3
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from project import auth
from project.auth import forget_customers

pytestmark = pytest.mark.django_db

REGION = "eu-west-3"
PASSWORD = "Correct-Horse-42!"
ME = "/api/v1/me/"




class Pool:
    """A user pool and app client shaped like the stack's (email sign-in, verified email)."""

    def __init__(self, url: str) -> None:
        self.idp = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name=REGION).client("cognito-idp", endpoint_url=url)
        self.id = self.idp.create_user_pool(
            PoolName="marquee-test", UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        self.client_id = self.new_client("spa")
        self.issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{self.id}"
        self.jwks_url = f"{url}/{self.id}/.well-known/jwks.json"

    def new_client(self, name: str) -> str:
        return self.idp.create_user_pool_client(
            UserPoolId=self.id, ClientName=name, GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["openid", "email", "aws.cognito.signin.user.admin"],
            CallbackURLs=["https://tickets.example.com/auth/callback"],
            SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"]

    def user(self, email: str, *, verified: bool = True) -> None:
        self.idp.admin_create_user(
            UserPoolId=self.id, Username=email, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email},
                            {"Name": "email_verified", "Value": str(verified).lower()}])
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=email,
                                         Password=PASSWORD, Permanent=True)

    def sign_in(self, email: str, client_id: str | None = None) -> dict:
        return self.idp.admin_initiate_auth(
            UserPoolId=self.id, ClientId=client_id or self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]

    def sub(self, email: str) -> str:
        user = self.idp.admin_get_user(UserPoolId=self.id, Username=email)
        return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


class CountingClient:
    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def get_user(self, **kwargs):
        self.calls += 1
        return self.real.get_user(**kwargs)


@pytest.fixture
def pool(moto_server, settings, monkeypatch):
    pool = Pool(moto_server)
    settings.COGNITO_ISSUER = pool.issuer
    settings.COGNITO_CLIENT_IDS = [pool.client_id]
    settings.AWS_ENDPOINT_URL = moto_server
    # The verifier's own cache, fed by the JWKS document moto serves for this pool (plain
    # HTTP here, which fetch_jwks_url refuses outside DEBUG: production's is HTTPS).
    monkeypatch.setattr(auth, "_jwks_cache", auth.JwksCache(
        lambda: json.load(urllib.request.urlopen(pool.jwks_url, timeout=5))))  # noqa: S310  # nosec B310
    auth.reset_cognito_client()
    monkeypatch.setattr(auth, "_get_user_backoff", {})
    pool.get_user = CountingClient(auth.cognito_client())
    monkeypatch.setattr(auth, "_cognito", pool.get_user)
    yield pool
    auth.reset_cognito_client()


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_moto_access_tokens_carry_no_email(pool):
    pool.user("ann@example.com")
    token = pool.sign_in("ann@example.com")["AccessToken"]
    claims = auth.verify_access_token(token)
    assert claims["token_use"] == "access" and claims["client_id"] == pool.client_id
    assert "email" not in claims and claims["auth_time"]


def test_an_access_token_is_accepted_and_the_email_stored_once(api, pool):
    pool.user("ann@example.com")
    token = pool.sign_in("ann@example.com")["AccessToken"]
    for _ in range(3):
        response = api.get(ME, **bearer(token))
        assert response.status_code == 200, response.content
    assert response.json() == {"sub": pool.sub("ann@example.com"), "email": "ann@example.com"}
    assert pool.get_user.calls == 1  # once per sign-in, not per request
    user = get_user_model().objects.get(username=pool.sub("ann@example.com"))
    assert user.email == "ann@example.com" and not user.is_staff


def test_an_email_changed_in_cognito_is_picked_up_at_the_next_sign_in(api, pool):
    pool.user("bob@example.com")
    sub = pool.sub("bob@example.com")
    first = pool.sign_in("bob@example.com")["AccessToken"]
    assert api.get(ME, **bearer(first)).json()["email"] == "bob@example.com"
    pool.idp.admin_update_user_attributes(
        UserPoolId=pool.id, Username="bob@example.com",
        UserAttributes=[{"Name": "email", "Value": "robert@example.com"},
                        {"Name": "email_verified", "Value": "true"}])
    assert api.get(ME, **bearer(first)).json()["email"] == "bob@example.com"  # no call
    # A later sign-in (moto's auth_time has second resolution: the stored one is moved back
    # rather than the test sleeping).
    get_user_model().objects.filter(username=sub).update(
        last_login=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    forget_customers()  # the process's copy of the customer holds the real sign-in time
    second = pool.sign_in("robert@example.com")["AccessToken"]
    assert api.get(ME, **bearer(second)).json()["email"] == "robert@example.com"
    assert pool.get_user.calls == 2


def test_an_unverified_email_is_not_stored(api, pool):
    pool.user("eve@example.com", verified=False)
    token = pool.sign_in("eve@example.com")["AccessToken"]
    assert api.get(ME, **bearer(token)).json()["email"] == ""


def test_cognito_refusing_get_user_does_not_refuse_the_request(api, pool, caplog):
    pool.user("dan@example.com")
    token = pool.sign_in("dan@example.com")["AccessToken"]
    pool.idp.admin_disable_user(UserPoolId=pool.id, Username="dan@example.com")
    for _ in range(2):
        assert api.get(ME, **bearer(token)).status_code == 200
    assert pool.get_user.calls == 1  # not again within the minute
    assert "no email from Cognito" in caplog.text
    user = get_user_model().objects.get(username=pool.sub("dan@example.com"))
    assert user.email == "" and user.last_login is None  # asked again later


def test_id_tokens_and_other_clients_tokens_are_refused(api, pool):
    pool.user("mal@example.com")
    result = pool.sign_in("mal@example.com")
    other = pool.sign_in("mal@example.com", client_id=pool.new_client("someone-else"))
    for token in (result["IdToken"], other["AccessToken"]):
        response = api.get(ME, **bearer(token))
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"
    assert not get_user_model().objects.filter(username=pool.sub("mal@example.com")).exists()
    assert pool.get_user.calls == 0


def test_a_reservation_with_a_cognito_token(api, pool, make_performance,
                                            django_capture_on_commit_callbacks):
    pool.user("cara@example.com")
    token = pool.sign_in("cara@example.com")["AccessToken"]
    performance = make_performance(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        reserved = api.post("/api/v1/tickets/", {"performance": performance.pk,
                                                 "quantity": 2}, format="json",
                            **bearer(token))
    assert reserved.status_code == 201, reserved.content
    order = reserved.json()
    assert order["status"] == "confirmed" and len(order["tickets"]) == 2
    listed = api.get("/api/v1/tickets/", **bearer(token)).json()
    assert [o["id"] for o in listed["results"]] == [order["id"]]
    cancelled = api.post(f"/api/v1/tickets/{order['id']}/cancel/", **bearer(token))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # The confirmation went to the address Cognito holds.
    [confirmation] = [m for m in mail.outbox if m.extra_headers["X-Marquee-Order"] == order["id"]]
    assert confirmation.to == ["cara@example.com"]
    assert pool.get_user.calls == 1
