"""Writes of the seller's step form: start a draft (empty, from a template, as a copy),
save a step of it, move it to the price list in force; archive, restore or delete a
draft; keep a quote's configuration as a template.

**No empty drafts.** Every new draft starts *untouched* (``Quote.untouched``): it is in
no list and has no audit trail yet. Its first event (a step saved with a change, a move
to the price list in force, a change through the API) touches it: its "Skapad" event,
naming where it came from, is written just before, in the same transaction
(``quotes.events``), and it joins the list. An untouched draft is
deleted by its seller ("Ta bort utkastet") or by the daily job once nobody has saved it
for ``UNTOUCHED_KEPT`` (``drafts_untouched_delete``); both lock the row and look again,
so a save that lands first wins and nothing typed is lost. A touched draft has a history
(``QuoteEvent`` is never deleted, and protects its quote): it is archived, never deleted.
Chosen over creating the row on the first save because every step, the live
recalculation and the stepper keep working on a real draft, unchanged.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from configurator.models import PriceList
from configurator.selectors import catalog_for, price_list_in_force

from ..errors import DocumentError, NoPriceListInForce, QuoteArchived, QuoteNotEditable
from ..events import quote_event_record
from ..locking import serialized_writes
from ..models import FIRST_STEP, Quote, QuoteEvent, QuoteTemplate
from ..pricing import choices_on_catalog, items_on_catalog
from .forms import FORMS, StepForm
from .steps import STEP_BY_SLUG

# What a template keeps and a copy takes: the configuration, never the customer.
CONFIGURATION_FIELDS = (
    "items", "manual_prices", "traffic", "on_site_training", "travel_cost", "contract_months", "discounts",
    "alternatives", "alternative_index", "options",
)
# An untouched draft nobody has saved for this long is deleted by the daily job.
UNTOUCHED_KEPT = timedelta(hours=24)


def quote_create(
    *, owner, price_list: PriceList | None = None, request: HttpRequest | None = None, untouched: bool = True
) -> Quote:
    """A new, empty draft for ``owner`` with the price list in force (its prices stay with
    it): "Tom offert", untouched until its first event. ``untouched=False`` (a program
    asked for it: the quotes API) makes it a draft with its "Skapad" event at once."""
    price_list = price_list or price_list_in_force()
    if price_list is None:
        raise NoPriceListInForce
    quote = Quote.objects.create(owner=owner, price_list=price_list, current_step=FIRST_STEP, untouched=untouched)
    if not untouched:
        quote_event_record(quote=quote, kind=QuoteEvent.Kind.CREATED, request=request, actor=owner)
    return quote


@dataclass(frozen=True)
class StepSaved:
    quote: Quote  # as stored now
    form: StepForm  # bound to the stored quote: errors and conflicts, what was typed
    changed: list[str]  # the model fields written


def quote_save_step(
    *,
    quote: Quote,
    step: str,
    data: QueryDict,
    target: str,
    request: HttpRequest | None = None,
) -> StepSaved:
    """Save a step's posted values on a draft, and where the seller goes next (``target``;
    the step itself while a value is refused).

    The quote is locked and read again first: what changes is worked out from the row as
    stored now, never from a copy loaded before the lock, so two saves at the same moment
    both land. The step's form merges the post into it (``StepForm.valid_data``): values
    the page did not change are not written back, and a value changed meanwhile by
    someone else is a conflict, not an overwrite. Records a "step_saved" event naming the
    fields that changed."""
    if target not in STEP_BY_SLUG or step not in STEP_BY_SLUG:
        raise ValueError(f"unknown step {target!r} / {step!r}")
    with serialized_writes(), transaction.atomic():
        # Quote.DoesNotExist: an untouched draft deleted meanwhile (the view answers 404).
        stored = Quote.objects.select_for_update().select_related("price_list").get(pk=quote.pk)
        if stored.status != Quote.Status.DRAFT:
            raise QuoteNotEditable  # signed in another tab since the page was loaded
        if stored.is_archived:
            raise QuoteArchived  # archived in another tab
        form = FORMS[step](data, quote=stored, catalog=catalog_for(stored.price_list))
        changes = form.changes()
        changed = [name for name, value in changes.items() if getattr(stored, name) != value]
        for name in changed:
            setattr(stored, name, changes[name])
        stored.current_step = step if form.errors else target
        stored.save(update_fields=[*changed, "current_step", "updated_at"])
        if changed:
            quote_event_record(
                quote=stored,
                kind=QuoteEvent.Kind.STEP_SAVED,
                request=request,
                detail=f"{step}: {', '.join(changed)}",
            )
    return StepSaved(quote=stored, form=form, changed=changed)


@dataclass(frozen=True)
class Repriced:
    quote: Quote  # as stored now
    moved: bool  # False: the draft was on the list in force already
    dropped: tuple[str, ...]  # item codes the list in force does not have


def quote_reprice(*, quote: Quote, request: HttpRequest | None = None) -> Repriced:
    """Move a draft to the price list in force ("Använd prislistan som gäller"): its
    items priced by that list from now on, items the list no longer has dropped (with
    their agreed prices). Locked and read again first, like a step save; recorded in the
    audit trail with both lists' names and what was dropped."""
    with serialized_writes(), transaction.atomic():
        stored = Quote.objects.select_for_update().select_related("price_list").get(pk=quote.pk)
        if stored.status != Quote.Status.DRAFT:
            raise QuoteNotEditable
        if stored.is_archived:
            raise QuoteArchived
        new_list = price_list_in_force()
        if new_list is None or new_list.pk == stored.price_list_id:
            return Repriced(quote=stored, moved=False, dropped=())
        old_name = stored.price_list.name
        catalog = catalog_for(new_list)
        stored.items, stored.manual_prices, dropped = items_on_catalog(
            catalog, stored.items or {}, stored.manual_prices or {}
        )
        stored.alternatives, stored.options, dropped_too = choices_on_catalog(
            catalog, stored.alternatives, stored.options
        )
        dropped = tuple(dict.fromkeys(dropped + dropped_too))
        stored.price_list = new_list
        stored.save(update_fields=["price_list", "items", "manual_prices", "alternatives", "options", "updated_at"])
        detail = f"prislista: {old_name} → {new_list.name}"
        if dropped:
            detail += f" (borttaget: {', '.join(dropped)})"
        quote_event_record(quote=stored, kind=QuoteEvent.Kind.STEP_SAVED, request=request, detail=detail)
    return Repriced(quote=stored, moved=True, dropped=dropped)


# --- Starting from a template or a copy -------------------------------------------------


@dataclass(frozen=True)
class Started:
    quote: Quote  # the new, untouched draft on the price list in force
    dropped: tuple[str, ...]  # the items (names, or codes) today's price list does not have


def _quote_start(*, owner, source, origin: str, names: dict[str, str] | None = None) -> Started:
    """A new untouched draft with ``source``'s configuration (a quote or a template) on
    the price list in force today, whatever list the source was made with. Items that
    list no longer sells are left out, and ``origin`` says which."""
    price_list = price_list_in_force()
    if price_list is None:
        raise NoPriceListInForce
    catalog = catalog_for(price_list)
    values = {name: copy.deepcopy(getattr(source, name)) for name in CONFIGURATION_FIELDS}
    values["items"], values["manual_prices"], dropped = items_on_catalog(
        catalog, dict(values["items"] or {}), dict(values["manual_prices"] or {})
    )
    values["discounts"] = _discounts_on_catalog(values["discounts"], catalog)
    values["alternatives"], values["options"], dropped_too = choices_on_catalog(
        catalog, values["alternatives"] or [], values["options"] or {}
    )
    dropped = tuple(dict.fromkeys(dropped + dropped_too))
    dropped_names = tuple((names or {}).get(code, code) for code in dropped)
    if dropped_names:
        origin += " — " + _("togs inte med (finns inte i dagens prislista): %(names)s") % {
            "names": ", ".join(dropped_names)
        }
    quote = Quote.objects.create(
        owner=owner, price_list=price_list, current_step=FIRST_STEP, untouched=True, origin=origin[:500], **values
    )
    return Started(quote=quote, dropped=dropped_names)


def _discounts_on_catalog(discounts, catalog) -> dict:
    """The discounts as stored, without the line discounts of items ``catalog`` lacks."""
    if not isinstance(discounts, dict) or not discounts:
        return {}
    lines = discounts.get("lines")
    if isinstance(lines, dict):
        discounts["lines"] = {code: d for code, d in lines.items() if code in catalog.items}
        if not discounts["lines"]:
            del discounts["lines"]
    return discounts


def quote_label(quote: Quote) -> str:
    """A quote as a copy names its source: "offert SC-2026-00042 A (Exempel AB)"."""
    name = quote.company_name or _("kund saknas")
    if quote.reference:
        return _("offert %(ref)s (%(name)s)") % {"ref": quote.reference, "name": name}
    return _("utkast %(id)s (%(name)s)") % {"id": quote.pk, "name": name}


def quote_copy(*, source: Quote, owner) -> Started:
    """"Kopiera": a new draft for ``owner`` with the configuration of ``source`` (any
    quote the seller sees, signed or not), priced with today's price list; no customer."""
    names = {code: item.name for code, item in catalog_for(source.price_list).items.items()}
    return _quote_start(
        owner=owner, source=source, names=names, origin=_("Kopia av %(quote)s") % {"quote": quote_label(source)}
    )


def quote_from_template(*, template: QuoteTemplate, owner) -> Started:
    """"Från mall…": a new draft with the template's configuration on today's list."""
    return _quote_start(
        owner=owner, source=template, origin=_("Från mallen «%(name)s»") % {"name": template.name}
    )


# --- Templates ---------------------------------------------------------------------------


class TemplateNameTaken(DocumentError):
    pass


def _name_taken(name: str) -> TemplateNameTaken:
    return TemplateNameTaken(_("Det finns redan en mall som heter «%(name)s». Välj ett annat namn.") % {"name": name})


def quote_template_save(*, quote: Quote, owner, name: str, shared: bool = False) -> QuoteTemplate:
    """"Spara som mall": the saved configuration of ``quote`` (not its customer) as a
    template of ``owner``'s, or a shared one (admins only: the caller checks)."""
    values = {field: copy.deepcopy(getattr(quote, field)) for field in CONFIGURATION_FIELDS}
    try:
        with transaction.atomic():
            return QuoteTemplate.objects.create(name=name, owner=None if shared else owner, **values)
    except IntegrityError:
        raise _name_taken(name) from None


def quote_template_rename(*, template: QuoteTemplate, name: str) -> QuoteTemplate:
    template.name = name
    try:
        with transaction.atomic():
            template.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise _name_taken(name) from None
    return template


def quote_template_delete(*, template: QuoteTemplate) -> None:
    """A template only starts quotes: the quotes started from it stay as they are."""
    template.delete()


# --- Archive, restore, delete -----------------------------------------------------------


class DraftNotRemovable(DocumentError):
    pass


def _locked_draft(quote: Quote) -> Quote:
    stored = Quote.objects.select_for_update().get(pk=quote.pk)
    if stored.status != Quote.Status.DRAFT or stored.is_frozen:
        raise DraftNotRemovable(_("Bara utkast kan arkiveras eller tas bort. En signerad offert finns alltid kvar."))
    return stored


def quote_archive(*, quote: Quote, user, request: HttpRequest | None = None) -> Quote:
    """"Arkivera": a draft with a history leaves the list (filter "Arkiverade") and is
    not edited or signed until it is restored. Its history stays."""
    with serialized_writes(), transaction.atomic():
        stored = _locked_draft(quote)
        if stored.untouched:
            raise DraftNotRemovable(_("Inget är sparat i utkastet: ta bort det i stället."))
        if stored.is_archived:
            return stored
        stored.archived_at = timezone.now()
        stored.save(update_fields=["archived_at", "updated_at"])
        quote_event_record(quote=stored, kind=QuoteEvent.Kind.ARCHIVED, request=request, actor=user)
    return stored


def quote_restore(*, quote: Quote, user, request: HttpRequest | None = None) -> Quote:
    """"Återställ": an archived draft is back in the list, as it was."""
    with serialized_writes(), transaction.atomic():
        stored = _locked_draft(quote)
        if not stored.is_archived:
            return stored
        stored.archived_at = None
        stored.save(update_fields=["archived_at", "updated_at"])
        quote_event_record(quote=stored, kind=QuoteEvent.Kind.RESTORED, request=request, actor=user)
    return stored


def _delete_if_untouched(stored: Quote) -> bool:
    """Delete a locked draft that is still untouched and has no history."""
    if stored.status != Quote.Status.DRAFT or stored.is_frozen or not stored.untouched or stored.events.exists():
        return False
    stored.delete()
    return True


def quote_delete(*, quote: Quote) -> None:
    """"Ta bort utkastet": only an untouched draft (nothing ever saved, no history) is
    deleted; a draft with a history is archived instead, a signed quote never goes."""
    with serialized_writes(), transaction.atomic():
        stored = _locked_draft(quote)
        if not _delete_if_untouched(stored):
            raise DraftNotRemovable(
                _("Utkastet har en historik som alltid sparas, så det kan inte tas bort. Arkivera det i stället.")
            )


def drafts_untouched_delete(*, now: datetime | None = None) -> int:
    """The daily job: delete the untouched drafts nobody has saved for ``UNTOUCHED_KEPT``
    (each locked and looked at again: a save in between keeps it); how many."""
    before = (now or timezone.now()) - UNTOUCHED_KEPT
    deleted = 0
    for pk in Quote.objects.filter(untouched=True, status=Quote.Status.DRAFT, updated_at__lt=before).values_list(
        "pk", flat=True
    ):
        with serialized_writes(), transaction.atomic():
            stored = Quote.objects.select_for_update().filter(pk=pk).first()
            if stored is not None and stored.untouched and stored.updated_at < before:
                deleted += _delete_if_untouched(stored)
    return deleted
