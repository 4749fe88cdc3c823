"""The local issuer's one-time sign-in codes (dev and test only: devauth is never installed
in production, where Cognito's email OTP does the same)."""

from __future__ import annotations

import uuid

from django.db import models


class SignInCode(models.Model):
    """A code emailed to `email`: good once, for a few minutes, for a few attempts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField()
    code_hash = models.CharField(max_length=64)  # sha256 of the id and the code
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["email", "-created_at"], name="signincode_email")]

    def __str__(self) -> str:
        return f"sign-in code for {self.email} ({'used' if self.used_at else 'unused'})"
