"""Local development (`make run`): SQLite, local-memory cache, local files, local issuer.

Without a Stripe key in the environment, payments go to localstripe (a fake Stripe that
`make run` starts beside the server), so a newcomer can complete a paid checkout offline
with a test card (4242 4242 4242 4242) and no Stripe account.
"""

from .base import *  # noqa: F403
from .base import env
from .local_issuer import *  # noqa: F403

DEBUG = True

LOCALSTRIPE_PORT = env.int("LOCALSTRIPE_PORT", default=8420)
if not STRIPE_SECRET_KEY and not STRIPE_SECRET_ARN:  # noqa: F405
    # localstripe takes any key: these are placeholders, not secrets.
    STRIPE_SECRET_KEY = "sk_test_localstripe"  # noqa: S105  # nosec B105
    STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    STRIPE_WEBHOOK_SECRET = "whsec_localstripe"  # noqa: S105  # nosec B105
    STRIPE_API_BASE = f"http://127.0.0.1:{LOCALSTRIPE_PORT}"
    STRIPE_JS_URL = f"{STRIPE_API_BASE}/js.stripe.com/v3/"
    LOCALSTRIPE_ENABLED = True

# ---------------------------------------------------------------- order emails (notifications)
# Each email as a .eml file (open it in any mail client: QR codes, .ics and all).
EMAIL_BACKEND = env("EMAIL_BACKEND", default="notifications.backends.EmlFileBackend")
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"  # noqa: F405
# ---------------------------------------------------------------- end of order emails
