"""Create an API token for a user and print its key (the last line of output; shown only once)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME; the key is printed as the last line and is not stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label for the token (default: cli-<date>).")
        parser.add_argument("--expires-days", type=int, default=None,
                            help="Days until the token expires (default: never).")

    def handle(self, *args, **options):
        User = get_user_model()
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {options['username']!r} is inactive.")
        days = options["expires_days"]
        if days is not None and days <= 0:
            raise CommandError("--expires-days must be a positive number of days.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        name = options["name"] or f"cli-{timezone.now():%Y-%m-%d}"
        token, key = ApiToken.generate(user, name, expires_at=expires_at)
        expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "never expires"
        self.stdout.write(f"Token {token.name!r} for {user.username} ({expiry}). Keep the key; it is shown once:")
        self.stdout.write(key)
