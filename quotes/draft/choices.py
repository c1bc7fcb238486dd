"""The seller builds the customer's choices on the summary step: up to three alternatives
of the offer (e.g. Bas / Standard / Premium) and options ("Tillval") on top of them.

The data and how a choice is priced: ``quotes.choices``. The buttons are buttons of the
step form (``nav`` = ``option-add``, ``alt-edit-1`` …): the step is saved first, so what
the seller typed on the summary is never lost, then ``quote_choices_change`` applies the
action under the quote's lock, like a step save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from configurator.pricing import Catalog
from configurator.selectors import catalog_for

from ..choices import MAX_ALTERNATIVES, MAX_NAME, MAX_OPTIONS, alternatives_of, option_codes, options_of
from ..errors import QuoteNotEditable
from ..events import quote_event_record
from ..locking import serialized_writes
from ..models import Quote, QuoteEvent
from .fields import QuantityField, price_text

ACTION_RE = re.compile(r"^(option-add|option-remove-[a-z0-9_]+|alt-add|alt-rename|alt-edit-\d|alt-remove-\d)$")


def is_choice_action(action: str | None) -> bool:
    return bool(action and ACTION_RE.match(action))


class ChoicesForm(forms.Form):
    """The summary's alternatives and options; which fields are required depends on the
    button pressed (``action``)."""

    option_code = forms.ChoiceField(label=gettext_lazy("Tjänst"), required=False)
    option_quantity = QuantityField(label=gettext_lazy("Antal"))
    alternative_current = forms.CharField(
        label=gettext_lazy("Namn på offerten som den är nu"), max_length=MAX_NAME, required=False,
        help_text=gettext_lazy("T.ex. Bas."),
    )
    alternative_new = forms.CharField(
        label=gettext_lazy("Namn på det nya alternativet"), max_length=MAX_NAME, required=False,
        help_text=gettext_lazy("T.ex. Standard eller Premium. Det börjar som en kopia av det du redigerar nu."),
    )

    def __init__(self, data=None, *, quote: Quote, catalog: Catalog, action: str = ""):
        self.quote = quote
        self.catalog = catalog
        self.action = action
        self.alternatives = alternatives_of(quote)
        initial = {f"alternative_name_{i}": a.get("name", "") for i, a in enumerate(self.alternatives)}
        initial.update(option_quantity=1, alternative_current=_("Bas") if not self.alternatives else "")
        super().__init__(data, initial=initial, prefix=None)
        for i, alt in enumerate(self.alternatives):
            self.fields[f"alternative_name_{i}"] = forms.CharField(
                label=_("Namn på alternativ %(n)s") % {"n": i + 1}, max_length=MAX_NAME, required=False,
            )
        offered = options_of(quote)
        self.fields["option_code"].choices = [("", _("Välj en tjänst"))] + [
            (item.code, f"{item.name} ({price_text(item)})")
            for item in option_codes(catalog)
            if item.code not in offered
        ]

    # Rows for the template.
    def alternative_rows(self):
        return [
            {"index": i, "number": i + 1, "name": a.get("name", ""), "field": self[f"alternative_name_{i}"],
             "editing": i == self.quote.alternative_index}
            for i, a in enumerate(self.alternatives)
        ]

    def option_rows(self):
        return [
            {"code": code, "name": self.catalog.items[code].name if code in self.catalog.items else code, "quantity": q}
            for code, q in options_of(self.quote).items()
        ]

    @property
    def can_add_alternative(self) -> bool:
        return len(self.alternatives) < MAX_ALTERNATIVES

    @property
    def can_add_option(self) -> bool:
        return len(options_of(self.quote)) < MAX_OPTIONS

    def _name(self, field: str, *, others: list[str]) -> str:
        name = (self.cleaned_data.get(field) or "").strip()
        if not name:
            self.add_error(field, _("Ge alternativet ett namn."))
        elif name.casefold() in (o.casefold() for o in others):
            self.add_error(field, _("Ett annat alternativ heter redan «%(name)s».") % {"name": name})
        return name

    def relevant(self, name: str) -> bool:
        """Whether a field's message concerns the button pressed (a bad quantity in the
        option row does not stop renaming an alternative)."""
        if self.action == "option-add":
            return name in ("option_code", "option_quantity")
        if self.action == "alt-add":
            return name in ("alternative_current", "alternative_new")
        if self.action == "alt-rename":
            return name.startswith("alternative_name_")
        return False

    def full_clean(self):
        super().full_clean()
        for name in list(self._errors or {}):
            if name != forms.forms.NON_FIELD_ERRORS and not self.relevant(name):
                del self._errors[name]

    def clean(self):
        data = super().clean()
        action = self.action
        if action == "option-add":
            if not self.can_add_option:
                raise forms.ValidationError(_("Offerten har redan %(n)s tillval, fler får inte plats.") % {"n": MAX_OPTIONS})
            if not data.get("option_code"):
                self.add_error("option_code", _("Välj vilken tjänst som ska vara tillval."))
            if "option_quantity" in data and not data["option_quantity"]:
                self.add_error("option_quantity", _("Ange hur många, minst 1."))
        elif action == "alt-add":
            if not self.can_add_alternative:
                raise forms.ValidationError(_("Offerten har redan tre alternativ."))
            names = [a.get("name", "") for a in self.alternatives]
            if not self.alternatives:
                data["alternative_current"] = self._name("alternative_current", others=[])
                names = [data["alternative_current"]]
            data["alternative_new"] = self._name("alternative_new", others=names)
        elif action == "alt-rename":
            names: list[str] = []
            for i in range(len(self.alternatives)):
                field = f"alternative_name_{i}"
                names.append(self._name(field, others=names))
                data[field] = names[-1]
        elif action.startswith(("alt-edit-", "alt-remove-")):
            if int(action.rsplit("-", 1)[1]) >= len(self.alternatives):
                raise forms.ValidationError(_("Alternativet finns inte längre. Ladda om sidan."))
        elif action.startswith("option-remove-"):
            if action[len("option-remove-"):] not in options_of(self.quote):
                raise forms.ValidationError(_("Tillvalet finns inte längre. Ladda om sidan."))
        return data

    def apply(self, quote: Quote) -> str:
        """Apply the valid action to ``quote`` (unsaved); what was done, for the seller."""
        action, data = self.action, self.cleaned_data
        alternatives = [dict(a) for a in alternatives_of(quote)]  # the edited one written back
        options = dict(options_of(quote))

        def edit(index: int) -> None:
            quote.alternative_index = index
            quote.items = dict(alternatives[index].get("items") or {})
            quote.manual_prices = dict(alternatives[index].get("manual_prices") or {})

        if action == "option-add":
            code = data["option_code"]
            options[code] = data["option_quantity"]
            quote.options = options
            return _("%(name)s är tillval i offerten.") % {"name": self.catalog.items[code].name}
        if action.startswith("option-remove-"):
            code = action[len("option-remove-"):]
            options.pop(code, None)
            quote.options = options
            name = self.catalog.items[code].name if code in self.catalog.items else code
            return _("%(name)s är inte längre tillval.") % {"name": name}
        if action == "alt-add":
            current = {"items": dict(quote.items or {}), "manual_prices": dict(quote.manual_prices or {})}
            if not alternatives:
                alternatives = [{"name": data["alternative_current"], **current}]
            alternatives.append({"name": data["alternative_new"], **current})
            quote.alternatives = alternatives
            edit(len(alternatives) - 1)
            return _("Alternativet %(name)s är tillagt som en kopia. Ändra det i stegen; du redigerar det nu.") % {
                "name": data["alternative_new"]
            }
        if action == "alt-rename":
            for i, alt in enumerate(alternatives):
                alt["name"] = data[f"alternative_name_{i}"]
            quote.alternatives = alternatives
            return _("Namnen är sparade.")
        index = int(action.rsplit("-", 1)[1])
        name = alternatives[index].get("name", "")
        if action.startswith("alt-edit-"):
            quote.alternatives = alternatives
            edit(index)
            return _("Du redigerar nu alternativet %(name)s i stegen.") % {"name": name}
        # alt-remove
        del alternatives[index]
        editing = quote.alternative_index
        if len(alternatives) == 1:  # one left: an offer without alternatives again
            quote.alternatives = alternatives
            edit(0)
            quote.alternatives, quote.alternative_index = [], 0
            return _("Alternativet %(name)s är borttaget. Offerten har inga alternativ längre.") % {"name": name}
        quote.alternatives = alternatives
        if index == editing:
            edit(0)
        elif index < editing:
            quote.alternative_index = editing - 1
        return _("Alternativet %(name)s är borttaget.") % {"name": name}


@dataclass(frozen=True)
class ChoicesChanged:
    quote: Quote  # as stored now
    form: ChoicesForm  # with its errors when nothing was changed
    message: str | None  # what was done (None: refused, see the form)


CHOICE_FIELDS = ["items", "manual_prices", "alternatives", "alternative_index", "options"]


def quote_choices_change(
    *, quote: Quote, action: str, data, request: HttpRequest | None = None
) -> ChoicesChanged:
    """Add, rename, switch to or remove an alternative, add or remove an option. The
    quote is locked and read again first (as a step save); recorded in the audit trail."""
    with serialized_writes(), transaction.atomic():
        stored = Quote.objects.select_for_update().select_related("price_list").get(pk=quote.pk)
        if stored.status != Quote.Status.DRAFT:
            raise QuoteNotEditable
        form = ChoicesForm(data, quote=stored, catalog=catalog_for(stored.price_list), action=action)
        if not form.is_valid():
            return ChoicesChanged(quote=stored, form=form, message=None)
        message = form.apply(stored)
        stored.save(update_fields=[*CHOICE_FIELDS, "updated_at"])
        quote_event_record(
            quote=stored, kind=QuoteEvent.Kind.STEP_SAVED, request=request,
            detail=f"{_('Alternativ och tillval')}: {message}"[:500],
        )
    return ChoicesChanged(quote=stored, form=form, message=message)
