"""Demo users for `make run`: an admin and two sellers, created only when missing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from configurator.selectors import price_list_in_force
from configurator.roles import ensure_sellers_group

DEMO_USERS = [
    # username, password, staff, name
    ("admin", "admin-demo-2026", True, "Anna Admin"),
    ("saljare", "saljare-demo-2026", False, "Sara Säljare"),
    ("saljare2", "saljare-demo-2026", False, "Sven Säljare"),
]


class Command(BaseCommand):
    help = "Create the demo admin and sellers (when none exist) and print their log-ins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo passwords are in the README: never on a production database.
            raise CommandError("demo_setup is for development only (DJANGO_DEBUG=1, as `make run` sets).")
        User = get_user_model()
        sellers = ensure_sellers_group()
        for username, password, staff, full_name in DEMO_USERS:
            first, _, last = full_name.partition(" ")
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": staff, "is_superuser": staff, "first_name": first, "last_name": last},
            )
            if created:
                user.set_password(password)
                user.save()
            if not staff:
                user.groups.add(sellers)
            self.stdout.write(
                f"{'admin ' if staff else 'säljare'}  {username} / {password}"
                + ("" if created else "  (fanns redan; lösenordet är oförändrat)")
            )
        call_command("quote_dev_cert", stdout=self.stdout)  # signing offers needs a certificate
        price_list = price_list_in_force()
        self.stdout.write(f"Prislista i kraft: {price_list}" if price_list else "Ingen prislista i kraft!")
        self.stdout.write("Öppna http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)")
