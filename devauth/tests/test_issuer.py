import base64
import hashlib
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/auth/callback"


def pkce():
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    return verifier, challenge


def authorize(client, challenge, **overrides):
    params = {"response_type": "code", "client_id": "marquee-local", "redirect_uri": CALLBACK,
              "scope": "openid email", "state": "s1", "code_challenge": challenge,
              "code_challenge_method": "S256", **overrides}
    return client.post("/dev-auth/oauth2/authorize?" + "&".join(
        f"{k}={v}" for k, v in params.items()), {"email": "Ann@Example.com"})


def test_authorization_code_flow_with_pkce(client, api):
    verifier, challenge = pkce()
    assert client.get("/dev-auth/oauth2/authorize", {
        "response_type": "code", "client_id": "marquee-local", "redirect_uri": CALLBACK,
        "code_challenge": challenge, "code_challenge_method": "S256"}).status_code == 200
    redirect = authorize(client, challenge)
    assert redirect.status_code == 302
    query = parse_qs(urlparse(redirect["Location"]).query)
    assert query["state"] == ["s1"]
    tokens = client.post("/dev-auth/oauth2/token", {
        "grant_type": "authorization_code", "client_id": "marquee-local",
        "code": query["code"][0], "redirect_uri": CALLBACK, "code_verifier": verifier}).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert me["email"] == "ann@example.com"


def test_wrong_verifier_or_redirect_is_refused(client):
    _, challenge = pkce()
    code = parse_qs(urlparse(authorize(client, challenge)["Location"]).query)["code"][0]
    for verifier, redirect in (("w" * 64, CALLBACK), ("v" * 64, "http://testserver/other")):
        response = client.post("/dev-auth/oauth2/token", {
            "grant_type": "authorization_code", "client_id": "marquee-local", "code": code,
            "redirect_uri": redirect, "code_verifier": verifier})
        assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_foreign_redirect_and_unknown_client_are_refused(client):
    _, challenge = pkce()
    assert authorize(client, challenge, redirect_uri="https://evil.example/cb").status_code == 400
    assert authorize(client, challenge, client_id="other").status_code == 400
    assert client.get("/dev-auth/logout?logout_uri=https://evil.example/")["Location"] == "/"


def test_jwks_endpoint_and_issue_token(api, capsys):
    jwks = api.get("/dev-auth/.well-known/jwks.json").json()
    assert jwks["keys"][0]["alg"] == "RS256" and "d" not in jwks["keys"][0]
    call_command("issue_token", "--sub", "cli-user", "--email", "cli@example.com")
    token = capsys.readouterr().out.strip()
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me == {"sub": "cli-user", "email": "cli@example.com"}


def test_production_settings_cannot_load_the_issuer():
    import subprocess
    import sys

    code = ("import os; os.environ.update(DJANGO_SETTINGS_MODULE='project.settings.production',"
            "DJANGO_SECRET_KEY='x'*50, ALLOWED_HOSTS='example.com');"
            "import django; django.setup(); from django.conf import settings;"
            "assert 'devauth' not in settings.INSTALLED_APPS;"
            "assert not settings.LOCAL_ISSUER_ENABLED;"
            "from django.urls import resolve, Resolver404\n"
            "try:\n    resolve('/dev-auth/.well-known/jwks.json'); raise SystemExit(1)\n"
            "except Resolver404: pass\n"
            "try:\n    import devauth.keys; raise SystemExit(2)\n"
            "except Exception as e: assert 'dev and test' in str(e), e\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
