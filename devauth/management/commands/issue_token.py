"""Print an access token from the local issuer (dev and test only)."""

from django.core.management.base import BaseCommand

from devauth import keys


class Command(BaseCommand):
    help = "Print a signed access token from the local issuer."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sub", help="Subject (user id); defaults to one derived from --email")
        parser.add_argument("--email", default="")
        parser.add_argument("--expires-in", type=int, default=3600, help="Seconds")

    def handle(self, *args, sub=None, email="", expires_in=3600, **options) -> None:
        sub = sub or keys.sub_for_email(email or "anonymous@example.com")
        self.stdout.write(keys.issue_access_token(sub=sub, email=email, expires_in=expires_in))
