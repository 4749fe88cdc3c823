"""Email backends: Amazon SES (production) and .eml files under var/mail/ (`make run`).

Nothing here is imported until an email is sent (Django imports EMAIL_BACKEND on
`get_connection()`), so neither django-ses nor boto3 is part of a web request's cold start.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django_ses import SESBackend as _DjangoSesBackend

logger = logging.getLogger(__name__)


class SESBackend(_DjangoSesBackend):
    """django-ses (SES API v2, SendEmail with the raw MIME message), sending through
    project.aws's process-wide client: 2 s connect / 5 s read timeouts, 3 attempts, the
    execution role's credentials, reset after a SnapStart restore. django-ses alone would
    build a new boto3 session and client for every email."""

    def open(self) -> bool:
        if self.connection is not None:
            return False
        from project import aws

        self.connection = aws.client("sesv2")
        return True

    def close(self) -> None:
        self.connection = None  # shared client: nothing to close


class EmlFileBackend(BaseEmailBackend):
    """Each email as a file a mail client opens (images, .ics and all):
    EMAIL_FILE_PATH/<time>-<order>-<kind>.eml."""

    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages: list) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            headers = message.extra_headers
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
            name = "-".join(part for part in (
                stamp, str(headers.get("X-Marquee-Order", ""))[:8],
                headers.get("X-Marquee-Email", "")) if part)
            path = self.directory / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            logger.info("email to %s written to %s", ", ".join(message.to), path)
        return len(email_messages)
