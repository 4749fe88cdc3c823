"""One-time sign-in codes of the local issuer: issue (and "email" them), then redeem once.

The code is printed to the server's log and written beside the order emails (the
EMAIL_FILE_PATH of dev settings, var/mail/), as `<time>-sign-in-code-<email>.txt`, so
`make run` and the browser tests read it where a customer would read their email.
Redeeming is one conditional UPDATE: a code is used at most once, however many tabs try.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import keys
from .models import SignInCode

logger = logging.getLogger("devauth")

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=5)  # Cognito's email OTP is valid for 5 minutes too
MAX_ATTEMPTS = 5


def _digest(code_id: str, code: str) -> str:
    return hashlib.sha256(f"{code_id}:{code}".encode()).hexdigest()


def code_dir() -> Path:
    return Path(getattr(settings, "EMAIL_FILE_PATH", None)
                or Path(settings.BASE_DIR) / "var" / "mail")


def sign_in_code_issue(*, email: str, now: dt.datetime | None = None) -> SignInCode:
    """A new code for `email`, delivered to the log and to a file beside the emails."""
    now = now or timezone.now()
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    record = SignInCode(email=email, created_at=now, expires_at=now + CODE_TTL)
    record.code_hash = _digest(str(record.id), code)
    record.save()
    logger.warning("Sign-in code for %s: %s (valid %d minutes)", email, code,
                   CODE_TTL.seconds // 60)
    folder = code_dir()
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", email)
    (folder / f"{now:%Y%m%d-%H%M%S-%f}-sign-in-code-{safe}.txt").write_text(
        f"To: {email}\nSubject: Your Marquee sign-in code\n\n"
        f"Your sign-in code is {code}\n\nIt is valid for {CODE_TTL.seconds // 60} minutes.\n")
    return record


def sign_in_code_redeem(*, code_id: str, email: str, code: str,
                        now: dt.datetime | None = None) -> bool:
    """True once for the right code within its time and attempts; creates the customer's
    account on their first code (the username is the issuer's `sub`, as Cognito's)."""
    now = now or timezone.now()
    live = SignInCode.objects.filter(pk=code_id, email=email, used_at__isnull=True,
                                     expires_at__gt=now, attempts__lt=MAX_ATTEMPTS)
    with transaction.atomic():
        redeemed = live.filter(code_hash=_digest(code_id, code.strip())).update(used_at=now)
        if not redeemed:
            live.update(attempts=F("attempts") + 1)
            return False
        user_model = get_user_model()
        sub = keys.sub_for_email(email)
        if not user_model.objects.filter(username=sub).exists():
            user_model.objects.create_user(username=sub, email=email)
    return True


