"""Roles: sellers are members of the "Säljare" group; sales managers of "Säljchef" (a
sales manager is also a seller; the team a manager sees is ``quotes.models.Team``);
sales directors of "Försäljningsdirektör" (also a seller; approves discounts above a
manager's limit); admins are staff. Each role has a discount limit
(``quotes.models.DiscountLimit``)."""

from django.contrib.auth.models import Group

SELLERS_GROUP = "Säljare"
SALES_MANAGERS_GROUP = "Säljchef"
SALES_DIRECTORS_GROUP = "Försäljningsdirektör"
# The roles with a discount limit, from the smallest limit to the largest.
ROLES = (SELLERS_GROUP, SALES_MANAGERS_GROUP, SALES_DIRECTORS_GROUP)


def ensure_sellers_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SELLERS_GROUP)
    return group


def ensure_sales_managers_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SALES_MANAGERS_GROUP)
    return group


def ensure_sales_directors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SALES_DIRECTORS_GROUP)
    return group


def _group_names(user) -> frozenset[str]:
    """The user's group names, read once per user object (a request's user asks often:
    the decorator, the header's links)."""
    names = getattr(user, "_role_group_names", None)
    if names is None:
        names = frozenset(g.name for g in user.groups.all())
        try:
            user._role_group_names = names
        except AttributeError:  # an object that takes no attributes: read again next time
            pass
    return names


def is_seller(user) -> bool:
    return user.is_authenticated and (user.is_staff or bool(_group_names(user) & set(ROLES)))


def roles_of(user) -> list[str]:
    """The user's roles (groups among ``ROLES``), in ``ROLES`` order."""
    if not user.is_authenticated:
        return []
    names = _group_names(user)
    return [role for role in ROLES if role in names]


def is_sales_director(user) -> bool:
    return user.is_authenticated and SALES_DIRECTORS_GROUP in _group_names(user)


def may_approve_discounts(user) -> bool:
    """Sales managers (for their teams) and sales directors approve discounts above a
    seller's limit (``quotes.approval``); whether a given quote is within the approver's
    own limit is decided there."""
    return is_sales_manager(user) or is_sales_director(user)


def is_sales_manager(user) -> bool:
    """A member of "Säljchef" (admins see every seller's figures without being one)."""
    return user.is_authenticated and SALES_MANAGERS_GROUP in _group_names(user)
