"""Writes of the seller's step form: create a draft, save a step of it."""

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
