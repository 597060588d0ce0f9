"""``manage.py create_partner_key NAME --scopes liveblog:read,results:read [--user U]``.

Prints the new key once, on stdout, alone on its line (scripts capture it); it is
stored only as a hash.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from partners.models import PartnerKey, Scope


class Command(BaseCommand):
    help = "Create an API key for a partner (or a staff token with --user) and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the key is for, e.g. 'Election night feed'.")
        parser.add_argument(
            "--scopes",
            default=f"{Scope.LIVEBLOG_READ},{Scope.RESULTS_READ}",
            help=f"Comma-separated, from: {', '.join(Scope.values)}.",
        )
        parser.add_argument("--partner", default="", help="Who holds it (default: NAME).")
        parser.add_argument("--user", default="", help="Bind to this staff user (a token).")
        parser.add_argument("--expires-days", type=int, default=0, help="0: never expires.")

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
        expiry = None
        if options["expires_days"] > 0:
            expiry = timezone.now() + timedelta(days=options["expires_days"])
        key = PartnerKey(
            name=options["name"][:50],
            partner=options["partner"] or options["name"],
            scopes=scopes,
            user=user,
            expiry_date=expiry,
        )
        try:
            key.full_clean(exclude=["id", "prefix", "hashed_key"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        secret = PartnerKey.objects.assign_key(key)
        key.save()
        self.stderr.write(f"Created key {key.prefix} for {key.partner} ({', '.join(scopes)}).")
        self.stdout.write(secret)
