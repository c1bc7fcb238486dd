"""Form fields of the step form: quantities and amounts as a Swede types them, with the
limits of ``configurator.limits`` (the same as the JSON API's), and the price texts
shown next to them (from the catalog, never hard-coded)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy as _

from configurator.limits import MAX_AMOUNT, MAX_QUANTITY, amount_normalise
from configurator.pricing import CatalogItem

from ..templatetags.money import format_money, format_number


class QuantityField(forms.IntegerField):
    """Rule 1: a whole number from 0 to 100 000; empty means 0.

    A text input (``inputmode="numeric"``), not ``type="number"``: the server sees what
    was typed. A browser's number input posts "" for "2,5" or "1e3" (read as 0) and some
    read "2,5" as 25; here a decimal comma or point is refused with its own message,
    never reinterpreted, and blanks between thousands ("100 000") are allowed."""

    def __init__(self, *, upper: int = MAX_QUANTITY, **kwargs):
        maximum = lazy(format_number, str)(upper)
        message = format_lazy(_("Ange ett heltal från 0 till {max}."), max=maximum)
        decimal = format_lazy(_("Ange ett heltal utan decimaler, från 0 till {max}."), max=maximum)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "qty"}),
        )
        super().__init__(
            min_value=0,
            max_value=upper,
            error_messages={"invalid": message, "min_value": message, "max_value": message, "decimal": decimal},
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
            if re.fullmatch(r"[-+\u2212]?\d*[.,]\d*", value) and re.search(r"\d", value):
                raise ValidationError(self.error_messages["decimal"], code="decimal")
        return super().to_python(value)

    def clean(self, value):
        result = super().clean(value)
        return 0 if result is None else result


class TypedKronor:
    """A decimal as a seller types it: spaces of any kind, a decimal comma, and what
    ``typed_extras`` allows around the number are read; the result is in öre, "-0" is 0."""

    typed_extras = r"[\s\u00a0\u202f]|kr\.?$"

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(self.typed_extras, "", value.strip(), flags=re.IGNORECASE)
            value = value.replace(",", ".")
        return super().to_python(value)

    def clean(self, value):
        result = super().clean(value)
        return None if result is None else amount_normalise(result)


class AmountField(TypedKronor, forms.DecimalField):
    """A money amount in kronor as a Swede types it: "7 900", "7900,50", "7900.50"."""

    def __init__(self, **kwargs):
        message = _("Ange ett belopp i kronor, t.ex. 7 900 eller 7 900,50.")
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(
            min_value=Decimal("0"),
            max_value=MAX_AMOUNT,
            max_digits=10,
            decimal_places=2,
            error_messages={
                "invalid": message,
                "min_value": _("Beloppet kan inte vara negativt."),
                "max_value": _("Beloppet får vara högst 10 000 000 kr."),
                "max_decimal_places": _("Högst två decimaler (öre)."),
                "max_digits": _("Beloppet får vara högst 10 000 000 kr."),
                "max_whole_digits": _("Beloppet får vara högst 10 000 000 kr."),
            },
            **kwargs,
        )


def amount_initial(value) -> str:
    """A stored amount as the seller would type it: "7 900" or "7 900,50"."""
    if value in (None, ""):
        return ""
    return format_number(Decimal(str(value)))


class PackageSelect(forms.Select):
    """Marks the packages priced on request, so the agreed-price field shows for them
    (CSS only, no script)."""

    on_request: set[str] = set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.on_request:
            option["attrs"]["data-on-request"] = "true"
        return option


# --- Price texts (from the catalog) -----------------------------------------------------


def price_text(item: CatalogItem, *, per_user: bool = False) -> str:
    parts = []
    if item.needs_agreed_price:
        return gettext("pris på förfrågan")
    if item.one_time:
        parts.append(gettext("%(price)s engångsavgift") % {"price": format_money(item.one_time)})
    if item.monthly:
        if per_user:
            parts.append(gettext("%(price)s/mån per användare") % {"price": format_money(item.monthly)})
        else:
            parts.append(gettext("%(price)s/mån") % {"price": format_money(item.monthly)})
    if not parts:
        parts.append(format_money(item.one_time or 0))
    return " + ".join(parts)


class DiscountField(TypedKronor, forms.DecimalField):
    """A discount as a Swede types it: a percentage or kronor ("12,5", "12.5", "1 995",
    "10 %", "500 kr"), read like ``AmountField`` (a decimal comma or point, blanks between
    thousands). Whether it is percent or kronor is the fee's unit field's choice; a
    percentage is checked against 100 by the form."""

    def __init__(self, *, upper: Decimal = MAX_AMOUNT, upper_message=None, **kwargs):
        message = _("Ange ett tal, t.ex. 10 eller 12,5.")
        too_big = upper_message or _("Beloppet får vara högst 10 000 000 kr.")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "discount"})
        )
        super().__init__(
            min_value=Decimal("0"),
            max_value=upper,
            max_digits=10,
            decimal_places=2,
            error_messages={
                "invalid": message,
                "min_value": _("En rabatt kan inte vara negativ."),
                "max_value": too_big,
                "max_decimal_places": _("Högst två decimaler."),
                "max_digits": too_big,
                "max_whole_digits": too_big,
            },
            **kwargs,
        )

    typed_extras = r"[\s\u00a0\u202f]|(%|kr\.?)$"  # also a trailing "%"


def percent_field(**kwargs) -> DiscountField:
    """A quote discount in percent: 0–100 with at most two decimals."""
    return DiscountField(upper=Decimal("100"), upper_message=_("Högst 100 %%."), **kwargs)
