"""Writes of the seller's step form: create a draft, save a step of it, move it to the
price list in force."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest, QueryDict

from configurator.models import PriceList
from configurator.selectors import catalog_for, price_list_in_force

from ..errors import NoPriceListInForce, QuoteNotEditable
from ..events import quote_event_record
from ..locking import serialized_writes
from ..models import FIRST_STEP, Quote, QuoteEvent
from ..pricing import choices_on_catalog, items_on_catalog
from .forms import FORMS, StepForm
from .steps import STEP_BY_SLUG


def quote_create(*, owner, price_list: PriceList | None = None, request: HttpRequest | None = None) -> Quote:
    """A new draft for ``owner`` with the price list in force (its prices stay with it)."""
    price_list = price_list or price_list_in_force()
    if price_list is None:
        raise NoPriceListInForce
    quote = Quote.objects.create(owner=owner, price_list=price_list, current_step=FIRST_STEP)
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
        stored = Quote.objects.select_for_update().select_related("price_list").get(pk=quote.pk)
        if stored.status != Quote.Status.DRAFT:
            raise QuoteNotEditable  # signed in another tab since the page was loaded
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
