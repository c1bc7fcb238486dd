"""Swedish money formatting: "1 990 kr", "0,69 kr", "-3 500,50 kr".

One rule on every screen, e-mail and PDF: whole kronor are shown without decimals (as
Telia's price list writes them), amounts with öre keep two decimals. The thousands separator is a no-break space so that "1 990 kr"
never wraps.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

register = template.Library()
NBSP = "\u00a0"


def format_number(value, decimals: int | None = None) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    english = (get_language() or "sv").startswith("en")
    if decimals is None:
        decimals = 0 if amount == amount.to_integral_value() else 2
    text = f"{abs(amount):,.{decimals}f}"  # "1,990.50"
    whole, _, frac = text.partition(".")
    if english:
        formatted = whole + (f".{frac}" if frac else "")
    else:
        formatted = whole.replace(",", NBSP) + (f",{frac}" if frac else "")
    return ("−" if amount < 0 else "") + formatted


def format_money(value, decimals: int | None = None) -> str:
    number = format_number(value, decimals)
    if not number:
        return ""
    return f"{number}{NBSP}kr"


@register.filter
def kr(value):
    """1990 → "1 990 kr"; Decimal("0.69") → "0,69 kr"."""
    return format_money(value)


@register.filter
def kr_off(value):
    """A discount as the offer shows it, with a minus sign: 29 → "−29 kr"."""
    try:
        return format_money(-Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return ""


@register.filter
def pct(value):
    """A percentage without needless zeros: 10.00 → "10", 12.50 → "12,5" (the "%" is the
    template's)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    text = format_number(number, 2)
    if "," in text or "." in text:
        text = text.rstrip("0").rstrip(",.")
    return text


@register.filter
def num(value):
    """A Swedish number without unit: 100000 → "100 000"."""
    return format_number(value)


def share_as_percent(share) -> Decimal:
    """A share of 0–1 (the engine's ``discount_share``) in percent, one decimal."""
    return (Decimal(str(share)) * 100).quantize(Decimal("0.1"))


@register.filter
def share_percent(value):
    """A share as the page shows it in percent: Decimal("0.2050") → "20,5" (the "%" is the
    template's)."""
    try:
        return pct(share_as_percent(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
