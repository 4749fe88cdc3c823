"""The local issuer's OAuth 2.0 endpoints, shaped like Cognito's managed login.

authorization code + PKCE (S256): GET/POST /dev-auth/oauth2/authorize asks for an email
address, then for the one-time code "emailed" to it (devauth/codes.py: the server's log
and a file beside the emails in var/mail/), as Cognito's passwordless email OTP sign-in
does, and redirects back with an authorization code; a customer's first code creates their
account. POST /dev-auth/oauth2/token trades code + verifier for tokens; /dev-auth/logout
redirects back. Authorization codes are signed, short-lived and stateless.
"""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import urlencode

import jwt
from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import codes, keys

CODE_SALT = "devauth.code"
CODE_MAX_AGE = 120


class SignInForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)


class CodeForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput, max_length=254)
    code_id = forms.UUIDField(widget=forms.HiddenInput)
    code = forms.RegexField(label="Code", regex=r"^\s*\d{6}\s*$", max_length=12,
                            error_messages={"invalid": "The code is the 6 digits we sent."})


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _safe_redirect(request: HttpRequest, uri: str) -> bool:
    return bool(uri) and url_has_allowed_host_and_scheme(
        uri, allowed_hosts={request.get_host()}, require_https=False)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(keys.jwks())


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    params = request.GET
    redirect_uri = params.get("redirect_uri", "")
    if params.get("client_id") not in settings.COGNITO_CLIENT_IDS:
        return _oauth_error("invalid_client", "Unknown client_id.")
    if not _safe_redirect(request, redirect_uri):
        return _oauth_error("invalid_request", "redirect_uri must be on this site.")
    if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256" \
            or not params.get("code_challenge"):
        return _oauth_error("invalid_request", "Use response_type=code with PKCE (S256).")
    if request.method == "POST" and "code_id" in request.POST:
        form = CodeForm(request.POST)
        if not form.is_valid():
            return render(request, "devauth/code.html", {"form": form})
        email = form.cleaned_data["email"].lower()
        if not codes.sign_in_code_redeem(code_id=str(form.cleaned_data["code_id"]),
                                         email=email, code=form.cleaned_data["code"]):
            form.add_error("code", "Wrong or expired code. Check the latest email, or start "
                                   "again for a new code.")
            return render(request, "devauth/code.html", {"form": form}, status=400)
        code = signing.dumps({
            "sub": keys.sub_for_email(email), "email": email,
            "client_id": params["client_id"], "redirect_uri": redirect_uri,
            "challenge": params["code_challenge"],
        }, salt=CODE_SALT)
        query = urlencode({"code": code, "state": params.get("state", "")})
        return HttpResponseRedirect(f"{redirect_uri}?{query}")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        issued = codes.sign_in_code_issue(email=email)
        return render(request, "devauth/code.html", {"form": CodeForm(
            initial={"email": email, "code_id": issued.id})})
    return render(request, "devauth/authorize.html", {"form": form})


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    data = request.POST
    if data.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "Only authorization_code.")
    try:
        grant = signing.loads(data.get("code", ""), salt=CODE_SALT, max_age=CODE_MAX_AGE)
    except signing.BadSignature:
        return _oauth_error("invalid_grant", "Invalid or expired code.")
    verifier = data.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    if (grant["client_id"] != data.get("client_id")
            or grant["redirect_uri"] != data.get("redirect_uri")
            or challenge != grant["challenge"]):
        return _oauth_error("invalid_grant", "Code, client, redirect_uri or verifier mismatch.")
    expires_in = 3600
    access = keys.issue_access_token(sub=grant["sub"], email=grant["email"],
                                     client_id=grant["client_id"], expires_in=expires_in)
    now = int(time.time())
    id_token = jwt.encode(
        {"iss": settings.COGNITO_ISSUER, "sub": grant["sub"], "aud": grant["client_id"],
         "token_use": "id", "email": grant["email"], "email_verified": True,
         "iat": now, "exp": now + expires_in},
        keys.private_key(), algorithm="RS256", headers={"kid": keys.key_id()})
    response = JsonResponse({"access_token": access, "id_token": id_token,
                             "token_type": "Bearer", "expires_in": expires_in})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def logout(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("logout_uri", "/")
    return HttpResponseRedirect(target if _safe_redirect(request, target) else "/")
