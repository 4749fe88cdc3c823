"""Static checks that are part of `make test`: bandit and ruff."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FIRST_PARTY = ["project", "shows", "tickets", "info", "payments", "notifications", "staff",
               "devauth", "deploy", "bench", "languages"]
# The tests are scanned too (their subprocesses, parsing, fixtures), the migrations are not.
TEST_ONLY = ["frontend/e2e"]


def test_bandit_finds_nothing_at_medium_severity_or_above():
    """Each accepted finding is explained in place with `# nosec <id>` and a reason."""
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", *FIRST_PARTY, *TEST_ONLY, "-ll",
         "-x", "*/migrations/*", "-f", "custom",
         "--msg-template", "{relpath}:{line} {test_id} {severity} {msg}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    findings = [line for line in result.stdout.splitlines() if ":" in line]
    assert result.returncode == 0 and not findings, "\n".join(findings) or result.stderr


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-5000:]


@pytest.mark.django_db
def test_migrations_match_the_models():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
