"""Filters of the price list's diff pages in the admin (amounts use ``money``'s ``kr``)."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from configurator.models import PriceItem

register = template.Library()


@register.filter
def percent(value) -> str:
    """Decimal("12.5") → "+12,5 %", Decimal("-3.0") → "−3,0 %"; "" for None."""
    if value is None:
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{formats.number_format(abs(Decimal(value)), 1, use_l10n=True)}\u00a0%"


@register.filter
def shown(value, kind: str) -> str:
    """A compared value that is not an amount, as the admin reads it."""
    if value is None or value == "":
        return "–"
    if kind == "bool":
        return _("ja") if value else _("nej")
    if kind == "section":
        return str(PriceItem.Section(value).label)
    if kind == "billed_to":
        return str(PriceItem.BilledTo(value).label)
    if kind == "number":
        return formats.number_format(value, force_grouping=True, use_l10n=True)
    return str(value)


@register.filter
def signed(value) -> str:
    """"+" before a positive change (the amount itself comes from ``kr``)."""
    return "+" if value is not None and value > 0 else ""
