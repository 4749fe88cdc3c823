"""`make run`: have localstripe deliver its signed events to this server's webhook."""

import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from payments import keys


class Command(BaseCommand):
    help = "Register this server's Stripe webhook with localstripe (development only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", required=True,
                            help="This server's base URL, e.g. http://127.0.0.1:8000")
        parser.add_argument("--wait", type=float, default=15.0,
                            help="Seconds to wait for localstripe to start.")

    def handle(self, *args, url: str, wait: float, **options) -> None:
        if not getattr(settings, "LOCALSTRIPE_ENABLED", False):
            raise CommandError("localstripe is for development only (project.settings.dev "
                               "without a Stripe key).")
        endpoint = f"{settings.STRIPE_API_BASE}/_config/webhooks/marquee"
        body = urllib.parse.urlencode({
            "url": f"{url.rstrip('/')}/api/v1/payments/stripe/webhook/",
            "secret": keys.webhook_secret()}).encode()
        deadline = time.monotonic() + wait
        while True:
            try:
                # The configured local URL (http://127.0.0.1:…), never user input.
                urllib.request.urlopen(endpoint, data=body, timeout=2).close()  # noqa: S310  # nosec B310
                break
            except (urllib.error.URLError, ConnectionError) as exc:
                if time.monotonic() > deadline:
                    raise CommandError(f"localstripe is not answering at {endpoint}") from exc
                time.sleep(0.2)
        self.stdout.write(f"localstripe: webhooks go to {url}")
