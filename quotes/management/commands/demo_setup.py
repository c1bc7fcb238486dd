"""Demo users for `make run`: an admin, two sellers, a sales manager whose team is
the two sellers and a sales director, created only when missing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from configurator.models import SellerProfile
from configurator.selectors import price_list_in_force
from configurator.roles import ensure_sales_directors_group, ensure_sales_managers_group, ensure_sellers_group
from quotes.models import Team

DEMO_USERS = [
    # username, password, staff, name, phone (on the offers they sign; fictitious numbers)
    ("admin", "admin-demo-2026", True, "Anna Admin", "+46 70 000 00 01"),
    ("saljare", "saljare-demo-2026", False, "Sara Säljare", "+46 70 000 00 02"),
    ("saljare2", "saljare-demo-2026", False, "Sven Säljare", "+46 70 000 00 03"),
    ("saljchef", "saljchef-demo-2026", False, "Stina Säljchef", "+46 70 000 00 04"),
    ("saljdirektor", "saljdirektor-demo-2026", False, "Dan Direktör", "+46 70 000 00 05"),
]
DIRECTOR = "saljdirektor"
MANAGER, TEAM_NAME, TEAM_MEMBERS = "saljchef", "Säljteam Stockholm", ("saljare", "saljare2")


class Command(BaseCommand):
    help = "Create the demo admin, sellers and sales manager (when none exist) and print their log-ins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo passwords are in the README: never on a production database.
            raise CommandError("demo_setup is for development only (DJANGO_DEBUG=1, as `make run` sets).")
        User = get_user_model()
        sellers = ensure_sellers_group()
        managers = ensure_sales_managers_group()
        directors = ensure_sales_directors_group()
        for username, password, staff, full_name, phone in DEMO_USERS:
            first, _, last = full_name.partition(" ")
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": staff, "is_superuser": staff, "first_name": first, "last_name": last,
                          "email": f"{username}@example.com"},
            )
            if created:
                user.set_password(password)
                user.save()
            SellerProfile.objects.get_or_create(user=user, defaults={"phone": phone})
            if not staff:
                user.groups.add(managers if username == MANAGER else directors if username == DIRECTOR else sellers)
            role = ("admin " if staff else "säljchef" if username == MANAGER
                    else "försäljningsdirektör" if username == DIRECTOR else "säljare")
            self.stdout.write(
                f"{role}  {username} / {password}"
                + ("" if created else "  (fanns redan; lösenordet är oförändrat)")
            )
        team, _ = Team.objects.get_or_create(name=TEAM_NAME, defaults={"manager": User.objects.get(username=MANAGER)})
        if team.manager.username == MANAGER:
            team.members.add(*User.objects.filter(username__in=TEAM_MEMBERS))
        self.stdout.write(f"Team: {team.name} (säljchef {team.manager.username})")
        call_command("quote_dev_cert", stdout=self.stdout)  # signing offers needs a certificate
        price_list = price_list_in_force()
        self.stdout.write(f"Prislista i kraft: {price_list}" if price_list else "Ingen prislista i kraft!")
        self.stdout.write("Öppna http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)")
