"""Roles: sellers are members of the "Säljare" group; sales managers of "Säljchef" (a
sales manager is also a seller; the team a manager sees is ``quotes.models.Team``);
admins are staff."""

from django.contrib.auth.models import Group

SELLERS_GROUP = "Säljare"
SALES_MANAGERS_GROUP = "Säljchef"


def ensure_sellers_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SELLERS_GROUP)
    return group


def ensure_sales_managers_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SALES_MANAGERS_GROUP)
    return group


def is_seller(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or any(g.name in (SELLERS_GROUP, SALES_MANAGERS_GROUP) for g in user.groups.all())
    )


def is_sales_manager(user) -> bool:
    """A member of "Säljchef" (admins see every seller's figures without being one)."""
    return user.is_authenticated and any(g.name == SALES_MANAGERS_GROUP for g in user.groups.all())
