"""What the browser and Stripe do in a checkout, played against a real localstripe server.

`setup_card` is what stripe.js's confirmCardSetup sends (the card goes to Stripe, never to
us); `authenticate` is the 3-D Secure step of confirmCardPayment; `signed` builds an event
signed exactly as Stripe signs webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import requests
from django.conf import settings

GOOD = "4242424242424242"
DECLINED = "4000000000000002"       # declined when the card is set up
CHARGE_DECLINED = "4000000000000341"  # set up fine, declined when charged
THREE_D_SECURE = "4000002760003184"


class CardError(Exception):
    pass


def setup_card(payment: dict[str, Any], number: str = GOOD) -> str:
    """Confirm the order's SetupIntent with a card; the PaymentMethod id, or CardError."""
    secret = payment["setup_client_secret"]
    url = f"{settings.STRIPE_API_BASE}/v1/setup_intents/{secret.split('_secret_')[0]}/confirm"
    body = {"key": payment["publishable_key"], "use_stripe_sdk": True, "client_secret": secret,
            "payment_method_data": {"type": "card", "card": {
                "number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
                "billing_details": {"address": {"postal_code": "69001"}}}}
    answer = requests.post(url, json=body, timeout=10)
    if answer.status_code != 200:
        raise CardError(answer.json()["error"]["message"])
    if answer.json()["status"] == "requires_action":  # 3-D Secure when saving the card
        body = {"key": payment["publishable_key"], "use_stripe_sdk": True,
                "client_secret": secret}
        answer = requests.post(url, json=body, timeout=10)
    assert answer.json()["status"] == "succeeded", answer.text
    return answer.json()["payment_method"]


def authenticate(payment: dict[str, Any], *, success: bool) -> dict[str, Any]:
    """The customer passes (or fails) 3-D Secure for the PaymentIntent."""
    secret = payment["client_secret"]
    intent = secret.split("_secret_")[0]
    answer = requests.post(
        f"{settings.STRIPE_API_BASE}/v1/payment_intents/{intent}/_authenticate"
        f"?success={'true' if success else 'false'}",
        json={"key": payment["publishable_key"], "client_secret": secret}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def stripe_get(path: str, **params: Any) -> dict[str, Any]:
    """Read localstripe's state with the secret key (what Stripe's dashboard would show)."""
    answer = requests.get(f"{settings.STRIPE_API_BASE}/v1/{path}", params=params,
                          auth=(settings.STRIPE_SECRET_KEY, ""), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def stripe_count(kind: str) -> int:
    """How many objects of a kind (`payment_intents`, `customers`, …) localstripe holds."""
    return int(stripe_get(kind, limit=1)["total_count"])


def stripe_post(path: str, **data: Any) -> dict[str, Any]:
    answer = requests.post(f"{settings.STRIPE_API_BASE}/v1/{path}", data=data,
                           auth=(settings.STRIPE_SECRET_KEY, ""), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def signed(event_type: str, obj: dict[str, Any], *, event_id: str | None = None,
           secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
    """(payload, Stripe-Signature header) of an event, signed as Stripe signs it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    payload = json.dumps({
        "id": event_id or f"evt_{obj['id']}_{event_type}", "object": "event",
        "type": event_type, "created": timestamp, "api_version": "2020-08-27",
        "data": {"object": obj},
    }).encode()
    key = (secret or settings.STRIPE_WEBHOOK_SECRET).encode()
    digest = hmac.new(key, f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={digest}"


def register_webhook(url: str) -> None:
    """Have localstripe deliver its signed events to `url` (as Stripe's dashboard does)."""
    answer = requests.post(f"{settings.STRIPE_API_BASE}/_config/webhooks/marquee",
                           data={"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET},
                           timeout=10)
    assert answer.status_code == 200, answer.text


def unregister_webhook() -> None:
    """Point the webhook nowhere (a lost webhook): localstripe keeps one per name."""
    requests.post(f"{settings.STRIPE_API_BASE}/_config/webhooks/marquee",
                  data={"url": "http://127.0.0.1:9/lost", "secret": "whsec_lost"}, timeout=10)
