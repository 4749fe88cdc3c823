import base64
import hashlib
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/auth/callback"


@pytest.fixture(autouse=True)
def mail_dir(settings, tmp_path):
    """Where the issuer writes its codes: beside the emails (var/mail/ under make run)."""
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return settings.EMAIL_FILE_PATH


def latest_code(mail_dir, email: str) -> str:
    [*_, newest] = sorted(mail_dir.glob(f"*-sign-in-code-{email}.txt"))
    return re.search(r"sign-in code is (\d{6})", newest.read_text()).group(1)


def pkce():
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(challenge, **overrides):
    params = {"response_type": "code", "client_id": "marquee-local", "redirect_uri": CALLBACK,
              "scope": "openid email", "state": "s1", "code_challenge": challenge,
              "code_challenge_method": "S256", **overrides}
    return "/dev-auth/oauth2/authorize?" + urlencode(params)


def ask_for_code(client, url, email="Ann@Example.com"):
    response = client.post(url, {"email": email})
    assert response.status_code == 200, response.content
    code_id = re.search(rb'name="code_id" value="([^"]+)"', response.content).group(1).decode()
    return response, code_id


def authorize(client, challenge, **overrides):
    """Both steps of the sign-in: the email address, then the code read from the 'email'."""
    url = authorize_url(challenge, **overrides)
    first = client.post(url, {"email": "Ann@Example.com"})
    if first.status_code != 200:
        return first
    code_id = re.search(rb'name="code_id" value="([^"]+)"', first.content).group(1).decode()
    from django.conf import settings

    return client.post(url, {"email": "ann@example.com", "code_id": code_id,
                             "code": latest_code(settings.EMAIL_FILE_PATH, "ann@example.com")})


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


def test_the_email_step_sends_a_code_and_the_first_code_creates_the_account(
        client, mail_dir, caplog, django_user_model):
    _, challenge = pkce()
    url = authorize_url(challenge)
    response, code_id = ask_for_code(client, url)
    assert b"Enter your code" in response.content and b'autocomplete="one-time-code"' \
        in response.content
    code = latest_code(mail_dir, "ann@example.com")
    assert f"Sign-in code for ann@example.com: {code}" in caplog.text  # the server's log
    assert not django_user_model.objects.filter(email="ann@example.com").exists()

    redirect = client.post(url, {"email": "ann@example.com", "code_id": code_id, "code": code})
    assert redirect.status_code == 302 and redirect["Location"].startswith(CALLBACK)
    [user] = django_user_model.objects.filter(email="ann@example.com")
    # Used once: the same code again is refused, and a second sign-in keeps the account.
    again = client.post(url, {"email": "ann@example.com", "code_id": code_id, "code": code})
    assert again.status_code == 400 and b"Wrong or expired code" in again.content
    assert authorize(client, challenge).status_code == 302
    assert list(django_user_model.objects.filter(email="ann@example.com")) == [user]


def test_wrong_codes_are_counted_and_a_code_lapses(client, mail_dir):
    import datetime as dt

    from devauth.models import SignInCode

    _, challenge = pkce()
    url = authorize_url(challenge)
    _, code_id = ask_for_code(client, url)
    code = latest_code(mail_dir, "ann@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = client.post(url, {"email": "ann@example.com", "code_id": code_id,
                                     "code": wrong})
        assert response.status_code == 400
    # Five wrong tries: even the right code no longer works.
    assert client.post(url, {"email": "ann@example.com", "code_id": code_id,
                             "code": code}).status_code == 400
    assert SignInCode.objects.get(pk=code_id).attempts == 5

    _, code_id = ask_for_code(client, url)
    SignInCode.objects.filter(pk=code_id).update(
        expires_at=SignInCode.objects.get(pk=code_id).created_at - dt.timedelta(seconds=1))
    assert client.post(url, {"email": "ann@example.com", "code_id": code_id,
                             "code": latest_code(mail_dir, "ann@example.com")}
                       ).status_code == 400
    # A code is the address's own: another address cannot use it.
    _, code_id = ask_for_code(client, url)
    assert client.post(url, {"email": "mallory@example.com", "code_id": code_id,
                             "code": latest_code(mail_dir, "ann@example.com")}
                       ).status_code == 400


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
