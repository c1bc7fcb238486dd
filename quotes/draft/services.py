"""Writes of the seller's step form: create a draft, save a step of it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from configurator.models import PriceList
from configurator.selectors import price_list_in_force

from ..errors import NoPriceListInForce, QuoteNotEditable
from ..events import quote_event_record
from ..models import FIRST_STEP, Quote, QuoteEvent
from .steps import STEP_BY_SLUG


def quote_create(*, owner, price_list: PriceList | None = None, request: HttpRequest | None = None) -> Quote:
    """A new draft for ``owner`` with the price list in force (its prices stay with it)."""
    price_list = price_list or price_list_in_force()
    if price_list is None:
        raise NoPriceListInForce
    quote = Quote.objects.create(owner=owner, price_list=price_list, current_step=FIRST_STEP)
    quote_event_record(quote=quote, kind=QuoteEvent.Kind.CREATED, request=request, actor=owner)
    return quote


def quote_save_step(
    *,
    quote: Quote,
    step: str,
    changes: dict[str, Any],
    current_step: str,
    request: HttpRequest | None = None,
) -> list[str]:
    """Save a step's valid values on a draft and where the seller is going next.

    ``changes`` maps model fields to their new values (``StepForm.changes()``). Records
    a "step_saved" event naming the fields that changed; returns them.
    """
    if current_step not in STEP_BY_SLUG or step not in STEP_BY_SLUG:
        raise ValueError(f"unknown step {current_step!r} / {step!r}")
    with transaction.atomic():
        # The draft may have been signed in another tab since the page was loaded.
        status = Quote.objects.select_for_update().values_list("status", flat=True).get(pk=quote.pk)
        if status != Quote.Status.DRAFT:
            raise QuoteNotEditable
        changed = [name for name, value in changes.items() if getattr(quote, name) != value]
        for name in changed:
            setattr(quote, name, changes[name])
        quote.current_step = current_step
        quote.save(update_fields=[*changed, "current_step", "updated_at"])
        if changed:
            quote_event_record(
                quote=quote,
                kind=QuoteEvent.Kind.STEP_SAVED,
                request=request,
                detail=f"{step}: {', '.join(changed)}",
            )
    return changed
