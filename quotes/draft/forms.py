"""The step forms: the only validation layer of the seller's step form.

Each step has a form bound to the quote and the catalog of the quote's price list:
labels, help texts, choices and prices come from the catalog (never hard-coded). A form
validates input (whole numbers 0–100 000, org.nr, phone, e-mail, amounts); the price
list's rules are the pricing engine's job and show as problems next to the fields.

``StepForm.changes()`` turns what is valid in the posted form into model values. The
step view saves them; the live recalculation applies them to an unsaved copy of the
draft. A field with a bad value keeps its stored value, and its message is shown.
"""

from __future__ import annotations

import copy
import os
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.se import orgnr

from configurator.discounts import discounts_as_json, parse_discounts
from configurator.limits import MAX_FREE_MONTHS, MAX_TRAFFIC, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS
from configurator.phone import phone_clean
from configurator.pricing import DELIVERY_OPTIONS, SELF_CONFIG, Catalog, CatalogItem

from ..models import Quote
from ..templatetags.money import format_money, format_number
from .fields import (
    AmountField, DiscountField, PackageSelect, QuantityField, amount_initial, percent_field, price_text,
)
from .steps import discount_field


# --- Base -------------------------------------------------------------------------------

SEEN_PREFIX = "seen"  # the value a page showed, posted beside the value typed
_UNREADABLE = object()


def _normal(value: Any) -> Any:
    """A value as compared in the three-way merge: text without edge blanks or CRs."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value



class StepForm(forms.Form):
    """A step's form over a draft quote and the catalog of the quote's price list."""

    required_css_class = ""
    # Quantities kept in ``Quote.items`` (code -> field of the same name).
    item_fields: tuple[str, ...] = ()
    # Fields the price does not depend on: a refused value there leaves the totals as they are.
    unpriced: tuple[str, ...] = ()

    def __init__(self, data=None, *, quote: Quote, catalog: Catalog):
        self.quote = quote
        self.catalog = catalog
        self.conflicts: list[str] = []
        self._valid: dict[str, Any] | None = None
        super().__init__(data, initial=self.initial_for(quote))
        for code in self.item_fields:
            if code in self.fields and code not in catalog.items:
                del self.fields[code]  # an item the admin has taken off the price list
        self.setup()

    # Hooks.
    def initial_for(self, quote: Quote) -> dict[str, Any]:
        items = quote.items or {}
        return {code: items.get(code, 0) for code in self.item_fields}

    def setup(self) -> None:
        """Labels, help texts and choices from the catalog."""

    def item_changes(self, valid: dict[str, Any], quote: Quote) -> dict[str, Any]:
        if not any(code in valid for code in self.item_fields):
            return {}
        items = dict(quote.items or {})
        for code in self.item_fields:
            if code in valid:
                _set_quantity(items, code, valid[code])
        return {"items": items}

    def extra_changes(self, valid: dict[str, Any], quote: Quote, changes: dict[str, Any]) -> dict[str, Any]:
        return {}

    # API.
    def valid_data(self) -> dict[str, Any]:
        """The posted values to apply: valid, and changed on the page they come from.

        Each field posts beside its value what the page showed (``seen-<name>``, rendered by
        ``{% field_row %}``). Against the value stored now, that is a three-way merge:
        a field the seller did not change is never written back (another tab's save of it
        stands); a change of a field nobody else changed is applied; a change of a field
        that was saved meanwhile with another value is a conflict (``self.conflicts``): it is
        not applied, and the field says what is stored and what was typed. A post without
        ``seen-`` values (an old page, a script) applies every valid value, as before."""
        if not self.is_bound:
            return {}
        if self._valid is None:
            self.is_valid()
            valid = {}
            for name, mine in list(self.cleaned_data.items()):
                if name in self.errors:
                    continue
                seen_key = f"{SEEN_PREFIX}-{name}"
                if seen_key not in self.data:
                    valid[name] = mine
                    continue
                base = self._comparable(name, self.data.get(seen_key))
                theirs = self._comparable(name, self.initial.get(name))
                typed = _normal(mine)
                if typed == base or typed == theirs:
                    continue  # unchanged on this page, or already stored
                if theirs == base:
                    valid[name] = mine
                    continue
                self.conflicts.append(name)
                self.add_error(name, ValidationError(
                    _("Sparat i en annan flik eller av en kollega medan du skrev: nu sparat «%(stored)s», "
                      "du skrev «%(typed)s». Spara igen för att använda ditt värde, eller ladda om "
                      "steget för att behålla det sparade.")
                    % {"stored": self._display(name, self.initial.get(name)), "typed": self._display(name, mine)},
                    code="conflict",
                ))
            self._valid = valid
        return self._valid

    def _comparable(self, name: str, value: Any) -> Any:
        """``value`` cleaned as a posted one would be (the field, then the form's
        ``clean_<name>``: "08-123 456 78" and "+46 8 123 456 78" are the same number)."""
        hook = getattr(self, f"clean_{name}", None)
        posted = self.cleaned_data.get(name, _UNREADABLE)
        try:
            value = self.fields[name].clean(value)
            if hook is not None:
                self.cleaned_data[name] = value
                value = hook()
        except ValidationError:
            return _UNREADABLE
        finally:
            if hook is not None and posted is _UNREADABLE:
                self.cleaned_data.pop(name, None)
            elif hook is not None:
                self.cleaned_data[name] = posted
        return _normal(value)

    def _display(self, name: str, value: Any) -> str:
        field = self.fields[name]
        if isinstance(field, forms.BooleanField):
            return gettext("ja") if value else gettext("nej")
        if isinstance(field, forms.ChoiceField):
            labels = {str(k): v for k, v in field.choices}
            return str(labels.get(str(value), value)) or "–"
        if isinstance(value, Decimal):
            return format_number(value)
        return str(value) if value not in (None, "") else "–"

    def changes(self) -> dict[str, Any]:
        """Model field -> new value for everything valid in the posted form."""
        valid = self.valid_data()
        changes = self.item_changes(valid, self.quote)
        changes.update(self.extra_changes(valid, self.quote, changes))
        return changes

    def item(self, code: str) -> CatalogItem | None:
        return self.catalog.items.get(code)

    def label_from_catalog(self, code: str, help_text: str = "", per_user: bool = False) -> None:
        item = self.item(code)
        if item is None or code not in self.fields:
            return
        field = self.fields[code]
        field.label = item.name
        price = price_text(item, per_user=per_user)
        field.help_text = f"{help_text} · {price}" if help_text else price


def _set_quantity(items: dict[str, int], code: str, qty: int) -> None:
    if qty:
        items[code] = qty
    else:
        items.pop(code, None)


# --- 1. Kund ----------------------------------------------------------------------------


class CustomerForm(StepForm):
    company_name = forms.CharField(label=_("Företagsnamn"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    org_number = forms.CharField(
        label=_("Organisationsnummer"), max_length=20, required=False,
        help_text=_("10 siffror, t.ex. 556430-0142."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(label=_("Kontaktperson"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    contact_email = forms.EmailField(
        label=_("E-post"), max_length=254, required=False,
        error_messages={"invalid": _("Ange en giltig e-postadress, t.ex. namn@foretag.se.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Telefon"), max_length=30, required=False,
        help_text=_("Svenskt nummer som 070-123 45 67, eller med landsnummer (+46 …)."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    customer_address = forms.CharField(
        label=_("Kundens adress"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )

    FIELDS = ("company_name", "org_number", "contact_name", "contact_email", "contact_phone", "customer_address")
    unpriced = FIELDS

    def initial_for(self, quote):
        return {name: getattr(quote, name) for name in self.FIELDS}

    def clean_org_number(self) -> str:
        value = self.cleaned_data["org_number"].strip()
        if not value:
            return ""
        digits = re.sub(r"\D", "", value)
        if len(digits) == 12 and digits.startswith("16"):
            value = digits[2:]  # the 12-digit form with the "16" prefix
        try:
            return orgnr.format(orgnr.validate(value))
        except stdnum_exceptions.InvalidLength:
            raise ValidationError(
                _("Ett organisationsnummer har 10 siffror, t.ex. 556430-0142."), code="length"
            )
        except stdnum_exceptions.InvalidChecksum:
            raise ValidationError(
                _("Kontrollsiffran stämmer inte — kontrollera att organisationsnumret är rätt skrivet."),
                code="checksum",
            )
        except stdnum_exceptions.ValidationError:
            raise ValidationError(
                _("Organisationsnumret ska bara innehålla siffror, t.ex. 556430-0142."), code="format"
            )

    def clean_contact_phone(self) -> str:
        return phone_clean(self.cleaned_data["contact_phone"])

    def clean_company_name(self) -> str:
        return self.cleaned_data["company_name"].strip()

    def extra_changes(self, valid, quote, changes):
        return {name: valid[name] for name in self.FIELDS if name in valid}


# --- 2. Användare -----------------------------------------------------------------------


class UsersForm(StepForm):
    item_fields = ("mobile_user", "fixed_number", "softphone")

    mobile_user = QuantityField()
    fixed_number = QuantityField()
    softphone = QuantityField()

    def setup(self):
        self.label_from_catalog("mobile_user", gettext("Antal användare"), per_user=True)
        for code in ("fixed_number", "softphone"):
            self.label_from_catalog(code, gettext("Antal användare som har tjänsten"), per_user=True)


# --- 3. Nummer --------------------------------------------------------------------------


class NumbersForm(StepForm):
    item_fields = ("function_number", "number_series_10", "number_series_100", "number_series_1000")

    function_number = QuantityField()
    number_series_10 = QuantityField()
    number_series_100 = QuantityField()
    number_series_1000 = QuantityField()
    answering_service = forms.ChoiceField(label=_("Paket"), required=False, widget=PackageSelect)
    answering_service_price = AmountField(
        label=_("Överenskommet månadspris (kr)"),
        help_text=_("Paket 20–100 har pris på förfrågan: ange priset ni har kommit överens om."),
    )

    def packages(self) -> list[CatalogItem]:
        return [self.catalog.items[c] for c in self.catalog.packages]

    def stored_package(self, quote: Quote) -> str:
        items = quote.items or {}
        return next((p.code for p in self.packages() if items.get(p.code)), "")

    def initial_for(self, quote):
        initial = super().initial_for(quote)
        package = self.stored_package(quote)
        initial["answering_service"] = package
        agreed = (quote.manual_prices or {}).get(package, {}) if package else {}
        initial["answering_service_price"] = amount_initial(agreed.get("monthly"))
        return initial

    def setup(self):
        self.label_from_catalog("function_number", gettext("Nummer till menyval eller köer"))
        for code in ("number_series_10", "number_series_100", "number_series_1000"):
            self.label_from_catalog(code, gettext("Antal serier"))
        choices = [("", gettext("Ingen"))]
        names = package_names(self.packages())
        for p in self.packages():
            choices.append((p.code, f"{names[p.code]} ({price_text(p)})"))
        field = self.fields["answering_service"]
        field.choices = choices
        field.help_text = gettext("Kräver Vägledd leverans.")
        field.widget.on_request = {p.code for p in self.packages() if p.needs_agreed_price}

    def on_request(self, code: str) -> bool:
        item = self.item(code)
        return bool(item and item.needs_agreed_price)

    def extra_changes(self, valid, quote, changes):
        if "answering_service" not in valid and "answering_service_price" not in valid:
            return {}
        items = dict(changes.get("items", quote.items or {}))
        manual = dict(quote.manual_prices or {})
        before = self.stored_package(quote)
        package = valid.get("answering_service", before)
        if "answering_service_price" in valid:
            price = valid["answering_service_price"]
        else:  # a bad price: keep the stored one
            stored = manual.get(before, {}).get("monthly") if before else None
            price = Decimal(stored) if stored else None
        for p in self.packages():
            items.pop(p.code, None)
            manual.pop(p.code, None)
        if package:
            items[package] = 1
            if price is not None and self.on_request(package):
                manual[package] = {"monthly": f"{price:.2f}"}
        return {"items": items, "manual_prices": manual}


def package_names(packages: list[CatalogItem]) -> dict[str, str]:
    """The packages' names without what they all share up to a comma: "Telia Svarsservice,
    paket 10" is "Paket 10" under the legend "Telia Svarsservice", so the choice fits a
    phone's screen."""
    names = [p.name for p in packages]
    common = os.path.commonprefix(names) if names else ""
    cut = common.rfind(", ") + 2 if ", " in common else 0
    return {p.code: capfirst(p.name[cut:]) or p.name for p in packages}


# --- 4. Integrationer -------------------------------------------------------------------


class IntegrationsForm(StepForm):
    item_fields = ("calendar", "teams_status", "teams_voice", "ad", "call_recording")

    calendar = QuantityField()
    teams_status = QuantityField()
    teams_voice = QuantityField()
    ad = QuantityField()
    call_recording = QuantityField()
    api_access = forms.BooleanField(required=False)
    nps_survey = forms.BooleanField(required=False)

    CHECKBOXES = ("api_access", "nps_survey")

    def initial_for(self, quote):
        initial = super().initial_for(quote)
        for code in self.CHECKBOXES:
            initial[code] = bool((quote.items or {}).get(code))
        return initial

    def setup(self):
        for code in self.item_fields:
            self.label_from_catalog(code, gettext("Antal användare"), per_user=True)
        for code in self.CHECKBOXES:
            if code not in self.catalog.items:
                del self.fields[code]
        if "api_access" in self.fields:
            self.label_from_catalog("api_access", gettext("Omfattar alltid alla användare"), per_user=True)
        if "nps_survey" in self.fields:
            self.label_from_catalog("nps_survey", gettext("Obegränsat antal enkäter; enkät-sms debiteras som trafik"))

    def extra_changes(self, valid, quote, changes):
        if not any(code in valid for code in self.CHECKBOXES):
            return {}
        items = dict(changes.get("items", quote.items or {}))
        for code in self.CHECKBOXES:
            if code in valid:
                _set_quantity(items, code, 1 if valid[code] else 0)
        return {"items": items}


# --- 5. Leverans och utbildning ---------------------------------------------------------


class DeliveryForm(StepForm):
    item_fields = ("extra_config", "training_half_day", "training_full_day")

    delivery = forms.ChoiceField(label=_("Leverans"), widget=forms.RadioSelect, required=False)
    extra_config = QuantityField()
    training_half_day = QuantityField()
    training_full_day = QuantityField()
    on_site_training = forms.BooleanField(
        label=_("Utbildning på plats hos kunden"), required=False,
        help_text=_("Restid och resekostnader tillkommer (fotnot 2)."),
    )
    travel_cost = AmountField(
        label=_("Överenskommen resekostnad (kr)"),
        help_text=_("Läggs till som en engångskostnad när utbildningen är på plats."),
    )

    def options(self) -> list[CatalogItem]:
        return [self.catalog.items[c] for c in DELIVERY_OPTIONS if c in self.catalog.items]

    def initial_for(self, quote):
        initial = super().initial_for(quote)
        items = quote.items or {}
        chosen = [c for c in DELIVERY_OPTIONS if items.get(c)]
        initial["delivery"] = chosen[0] if chosen else SELF_CONFIG
        initial["on_site_training"] = quote.on_site_training
        initial["travel_cost"] = amount_initial(quote.travel_cost)
        return initial

    def setup(self):
        self.fields["delivery"].choices = [(i.code, f"{i.name} ({price_text(i)})") for i in self.options()]
        self.label_from_catalog("extra_config", gettext("Antal ärenden, hör till Uppstartshjälp"))
        self.label_from_catalog("training_half_day", gettext("Antal halvdagar, distans via Teams (upp till 3 timmar)"))
        self.label_from_catalog("training_full_day", gettext("Antal heldagar, distans via Teams (upp till 6 timmar)"))

    def extra_changes(self, valid, quote, changes):
        out: dict[str, Any] = {}
        if "delivery" in valid:
            items = dict(changes.get("items", quote.items or {}))
            chosen = valid["delivery"] or SELF_CONFIG
            for code in DELIVERY_OPTIONS:
                _set_quantity(items, code, 1 if code == chosen else 0)
            out["items"] = items
        if "on_site_training" in valid:
            out["on_site_training"] = valid["on_site_training"]
        if "travel_cost" in valid:
            out["travel_cost"] = valid["travel_cost"]
        return out


# --- 6. Trafik --------------------------------------------------------------------------


class TrafficForm(StepForm):
    sms_domestic = QuantityField(upper=MAX_TRAFFIC, label=_("SMS till svenska nummer per månad"))
    sms_foreign = QuantityField(upper=MAX_TRAFFIC, label=_("SMS till utländska nummer per månad"))
    nps_sms_domestic = QuantityField(upper=MAX_TRAFFIC, label=_("NPS-enkät: sms till svenska nummer per månad"))
    nps_sms_foreign = QuantityField(upper=MAX_TRAFFIC, label=_("NPS-enkät: sms till utländska nummer per månad"))
    calls = QuantityField(upper=MAX_TRAFFIC, label=_("Utgående externa samtal per månad"))
    avg_call_seconds = QuantityField(upper=MAX_TRAFFIC, label=_("Genomsnittlig samtalslängd (sekunder)"))

    FIELDS = ("sms_domestic", "sms_foreign", "nps_sms_domestic", "nps_sms_foreign", "calls", "avg_call_seconds")

    def initial_for(self, quote):
        traffic = quote.traffic or {}
        return {name: traffic.get(name, 0) for name in self.FIELDS}

    def setup(self):
        def usage(code: str, unit: str) -> str:
            item = self.item(code)
            return f"{format_money(item.usage_price or 0)}/{unit}" if item else ""

        sms = self.item("sms_domestic")
        helps = {
            "sms_domestic": gettext("%(price)s, de första %(free)s sms i månaden är gratis")
            % {"price": usage("sms_domestic", gettext("sms")), "free": format_number((sms.free_quota or 0) if sms else 0)},
            "sms_foreign": usage("sms_foreign", gettext("sms")),
            "nps_sms_domestic": usage("nps_sms_domestic", gettext("sms")),
            "nps_sms_foreign": usage("nps_sms_foreign", gettext("sms")),
            "calls": gettext("Öppningsavgift %(price)s") % {"price": usage("call_opening", gettext("samtal"))},
            "avg_call_seconds": gettext("Minuttaxa %(price)s") % {"price": usage("call_minute", gettext("påbörjad minut"))},
        }
        for name, text in helps.items():
            self.fields[name].help_text = text

    def extra_changes(self, valid, quote, changes):
        if not any(name in valid for name in self.FIELDS):
            return {}
        traffic = dict(quote.traffic or {})
        for name in self.FIELDS:
            if name in valid:
                if valid[name]:
                    traffic[name] = valid[name]
                else:
                    traffic.pop(name, None)
        return {"traffic": traffic}


# --- 7. Rabatter ------------------------------------------------------------------------

FEES = (("monthly", _("månadsavgiften")), ("one_time", _("engångsavgiften")))
UNITS = ("percent", "amount")


class DiscountsForm(StepForm):
    """Discounts as the seller negotiates them: per line of the quote (the implementations
    the engine adds included) a discount on the monthly and/or the one-time fee, each in
    percent or kronor (its unit field); a quote discount in percent on each total; free
    months. Stored as the API's ``discounts`` object (``Quote.discounts``) through the one
    reader, ``configurator.discounts``. A discount in kronor larger than its line is the
    engine's rule error, shown next to the fee's field."""

    monthly_percent = percent_field(
        label=_("Offertrabatt på månadsavgiften (%)"),
        help_text=_("På hela månadsavgiften, efter radrabatterna."),
    )
    one_time_percent = percent_field(
        label=_("Offertrabatt på engångsavgifterna (%)"),
        help_text=_("På alla engångsavgifter, efter radrabatterna."),
    )
    free_months = QuantityField(
        upper=MAX_FREE_MONTHS, label=_("Fria månader"),
        help_text=_("Månader utan månadsavgift i början av avtalet; färre än avtalstiden."),
    )

    QUOTE_FIELDS = ("monthly_percent", "one_time_percent", "free_months")
    unpriced = ()

    def initial_for(self, quote):
        from ..pricing import quote_pricing

        stored = quote.discounts or {}
        result = quote_pricing(quote, catalog=self.catalog)
        self.lines = [
            line for line in result.lines
            if line.code in self.catalog.codes_sellable and (line.monthly_list or line.one_time_list)
        ]
        initial: dict[str, Any] = {
            "monthly_percent": amount_initial(stored.get("monthly_percent")),
            "one_time_percent": amount_initial(stored.get("one_time_percent")),
            "free_months": stored.get("free_months") or 0,
        }
        stored_lines = stored.get("lines") or {}
        for line in self.lines:
            entry = stored_lines.get(line.code) or {}
            for fee, _label in FEES:
                unit = "amount" if entry.get(f"{fee}_amount") not in (None, "") else "percent"
                initial[discount_field(line.code, fee)] = amount_initial(entry.get(f"{fee}_{unit}"))
                initial[discount_field(line.code, fee) + "-unit"] = unit
        return initial

    def line_fees(self, line) -> list[str]:
        return [fee for fee, _label in FEES if getattr(line, f"{fee}_list")]

    def setup(self):
        self.discount_lines = []
        for line in self.lines:
            fees = []
            for fee, fee_label in FEES:
                if fee not in self.line_fees(line):
                    continue
                name = discount_field(line.code, fee)
                listed = getattr(line, f"{fee}_list")
                self.fields[name] = DiscountField(
                    label=format_lazy(_("Rabatt på {fee}"), fee=fee_label),
                    help_text=(gettext("Raden enligt prislistan: %(amount)s/mån") if fee == "monthly"
                               else gettext("Raden enligt prislistan: %(amount)s engång")) % {"amount": format_money(listed)},
                )
                per = gettext("kr/mån") if fee == "monthly" else gettext("kr")
                self.fields[f"{name}-unit"] = forms.ChoiceField(
                    label=format_lazy(_("Rabatten på {fee} anges i"), fee=fee_label),
                    choices=[("percent", gettext("procent (%)")), ("amount", gettext("kronor (%(per)s)") % {"per": per})],
                    required=False,  # not posted: the stored unit
                    error_messages={"invalid_choice": _("Välj procent eller kronor.")},
                )
                fees.append({
                    "value": name, "unit": f"{name}-unit",
                    "list": listed, "monthly": fee == "monthly",
                    "discount": getattr(line, f"{fee}_discount"),
                })
            self.discount_lines.append({"line": line, "fees": fees})

    def clean(self):
        cleaned = super().clean()
        for line in self.lines:
            for fee in self.line_fees(line):
                name = discount_field(line.code, fee)
                unit = cleaned.get(f"{name}-unit") or self.initial.get(f"{name}-unit")
                value = cleaned.get(name)
                if unit == "percent" and value is not None and value > 100 and name not in self.errors:
                    self.add_error(name, ValidationError(_("En rabatt i procent är högst 100 %."), code="max_value"))
        return cleaned

    def extra_changes(self, valid, quote, changes):
        if not any(name in valid for name in self.fields):
            return {}
        stored = copy.deepcopy(quote.discounts or {})
        lines = dict(stored.get("lines") or {})
        for line in self.lines:
            entry = dict(lines.get(line.code) or {})
            for fee in self.line_fees(line):
                name = discount_field(line.code, fee)
                if name in self.errors or f"{name}-unit" in self.errors:
                    continue  # a refused value keeps the stored discount of this fee
                if name not in valid and f"{name}-unit" not in valid:
                    continue
                unit = valid.get(f"{name}-unit") or self.initial.get(f"{name}-unit")
                value = valid[name] if name in valid else self.fields[name].clean(self.initial.get(name))
                entry.pop(f"{fee}_percent", None)
                entry.pop(f"{fee}_amount", None)
                if value:
                    entry[f"{fee}_{unit}"] = f"{value:.2f}"
            if entry:
                lines[line.code] = entry
            else:
                lines.pop(line.code, None)
        stored["lines"] = lines
        for name in ("monthly_percent", "one_time_percent"):
            if name in valid:
                stored[name] = f"{valid[name]:.2f}" if valid[name] else None
        if "free_months" in valid:
            stored["free_months"] = valid["free_months"]
        discounts, _errors = parse_discounts(
            {k: v for k, v in stored.items() if v not in (None, "")}, self.catalog
        )  # what no longer reads is left out (the form checked what was typed)
        return {"discounts": discounts_as_json(discounts)}


# --- 8. Sammanställning -----------------------------------------------------------------


class SummaryForm(StepForm):
    contract_months = forms.TypedChoiceField(
        label=_("Avtalstid"), choices=Quote.ContractMonths.choices, coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Välj 12, 24 eller 36 månader.")},
    )
    validity_days = forms.IntegerField(
        label=_("Offerten gäller i (dagar)"), min_value=MIN_VALIDITY_DAYS, max_value=MAX_VALIDITY_DAYS,
        help_text=_("Räknas från den dag offerten signeras."),
        error_messages={
            "invalid": _("Ange ett antal dagar från 1 till 365."),
            "min_value": _("Ange ett antal dagar från 1 till 365."),
            "max_value": _("Ange ett antal dagar från 1 till 365."),
            "required": _("Ange hur många dagar offerten gäller."),
        },
        widget=forms.NumberInput(attrs={"min": MIN_VALIDITY_DAYS, "max": MAX_VALIDITY_DAYS, "inputmode": "numeric"}),
    )
    customer_note = forms.CharField(
        label=_("Meddelande till kunden"), max_length=2000, required=False,
        help_text=_("Visas i offerten."), widget=forms.Textarea(attrs={"rows": 4}),
    )

    FIELDS = ("contract_months", "validity_days", "customer_note")
    unpriced = ("validity_days", "customer_note")

    def initial_for(self, quote):
        return {name: getattr(quote, name) for name in self.FIELDS}

    def extra_changes(self, valid, quote, changes):
        return {name: valid[name] for name in self.FIELDS if name in valid}


FORMS: dict[str, type[StepForm]] = {
    "kund": CustomerForm,
    "anvandare": UsersForm,
    "nummer": NumbersForm,
    "integrationer": IntegrationsForm,
    "leverans": DeliveryForm,
    "trafik": TrafficForm,
    "rabatter": DiscountsForm,
    "sammanstallning": SummaryForm,
}


# The list's status filter for archived drafts (they are in no other view of the list).
ARCHIVED = "arkiverade"


class QuoteSearchForm(forms.Form):
    q = forms.CharField(label=_("Sök kund eller org.nr"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", gettext("Alla"))] + list(Quote.Status.choices) + [
            (ARCHIVED, gettext("Arkiverade utkast"))
        ]


class TemplateNameForm(forms.Form):
    """"Spara som mall" and renaming a template: its name; admins may share it."""

    name = forms.CharField(label=_("Mallens namn"), max_length=200)
    shared = forms.BooleanField(
        label=_("Gemensam mall för alla säljare"), required=False,
        help_text=_("Annars är mallen bara din."),
    )

    def __init__(self, *args, may_share: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_share:
            del self.fields["shared"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Skriv ett namn på mallen."))
        return name
