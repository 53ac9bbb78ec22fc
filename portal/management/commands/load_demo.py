from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_USERS, loaders


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins. Refused in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "load_demo creates users with a published password; refused when DJANGO_ENV=production"
            )
        for loader in loaders():
            for line in loader.func():
                self.stdout.write(f"{loader.name}: {line}")
        self.stdout.write(f"\nDemo logins (password for all: {settings.DEMO_PASSWORD})")
        width = max(len(username) for username, *_ in DEMO_USERS)
        for username, role, code, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<{width}} {role:<13} {code or ''}")
