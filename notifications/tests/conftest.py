"""Amazon SES on moto (in process, no network): what the SES backend sent, parsed."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass

import pytest

SENDER = "tickets@marquee.example"
REGION = "eu-west-3"


@dataclass
class Sent:
    """One message SES accepted: its envelope and its parsed MIME tree."""

    source: str
    destinations: list[str]
    message: email.message.EmailMessage

    @property
    def recipients(self) -> list[str]:
        """Envelope recipients (moto also appends the To header's, hence the set)."""
        return sorted(set(self.destinations))

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def kind(self) -> str:
        return str(self.message["X-Marquee-Email"])

    @property
    def order_id(self) -> str:
        return str(self.message["X-Marquee-Order"])

    def part(self, content_type: str) -> email.message.EmailMessage:
        return next(p for p in self.message.walk() if p.get_content_type() == content_type)

    def parts(self, content_type: str) -> list[email.message.EmailMessage]:
        return [p for p in self.message.walk() if p.get_content_type() == content_type]

    @property
    def text(self) -> str:
        return self.part("text/plain").get_content()

    @property
    def html(self) -> str:
        return self.part("text/html").get_content()


class SesOutbox:
    def __init__(self, backend) -> None:
        self.backend = backend

    def all(self) -> list[Sent]:
        return [Sent(m.source, list(m.destinations),
                     email.message_from_string(m.raw_data, policy=email.policy.default))
                for m in self.backend.sent_messages]

    def of(self, order_id) -> list[Sent]:
        return [m for m in self.all() if m.order_id == str(order_id)]


@pytest.fixture
def ses(settings, monkeypatch):
    """SES on moto with SENDER verified; notifications' SES backend sends to it."""
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from project import aws

    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    settings.AWS_ENDPOINT_URL = None
    settings.EMAIL_BACKEND = "notifications.backends.SESBackend"
    settings.DEFAULT_FROM_EMAIL = f"Marquee <{SENDER}>"
    with mock_aws():
        aws.reset()
        aws.client("sesv2").create_email_identity(EmailIdentity=SENDER)
        yield SesOutbox(ses_backends[DEFAULT_ACCOUNT_ID][REGION])
    aws.reset()
