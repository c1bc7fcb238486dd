"""Roles: sellers are members of the "Säljare" group; admins are staff."""

from django.contrib.auth.models import Group

SELLERS_GROUP = "Säljare"


def ensure_sellers_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SELLERS_GROUP)
    return group


def is_seller(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or any(g.name == SELLERS_GROUP for g in user.groups.all())
    )
