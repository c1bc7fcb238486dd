"""Writes of the quotes API: create a draft, change a draft. Both validate the whole body
first (``inputs.quote_changes``: the step forms' rules) and write nothing unless all of
it is valid; both are in the quote's audit trail with the API's user as the actor."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from configurator.api_v1 import ApiError
from configurator.selectors import catalog_for, price_list_in_force

from ..draft.services import quote_create
from ..events import quote_event_record
from ..locking import serialized_writes
from ..models import FIRST_STEP, Quote, QuoteEvent
from .inputs import quote_changes


def quote_api_create(*, owner, data: Any, request: HttpRequest | None = None) -> Quote:
    """A new draft of ``owner`` on the price list in force, with ``data`` applied."""
    price_list = price_list_in_force()
    if price_list is None:
        raise ApiError.one(503, "price_list", "none_in_force", "Ingen prislista gäller.")
    changes = quote_changes(
        data, quote=Quote(owner=owner, price_list=price_list, current_step=FIRST_STEP), catalog=catalog_for(price_list)
    )
    with transaction.atomic():
        # Not untouched (quotes.draft.services): an integration asked for this draft.
        quote = quote_create(owner=owner, price_list=price_list, request=request, untouched=False)
        if changes:
            for name, value in changes.items():
                setattr(quote, name, value)
            quote.save(update_fields=[*changes, "updated_at"])
            _record(quote, changes, actor=owner, request=request)
    return quote


def quote_api_update(*, quote: Quote, data: Any, user, request: HttpRequest | None = None) -> Quote:
    """``data`` applied to the draft ``quote``: locked and read again first, the changes
    worked out from the row as stored now (no lost update: what the body leaves out keeps
    what anyone saved meanwhile). A quote that is no longer a draft is 409."""
    with serialized_writes(), transaction.atomic():
        stored = Quote.objects.select_for_update().select_related("price_list", "owner").get(pk=quote.pk)
        if stored.status != Quote.Status.DRAFT:
            raise ApiError.one(
                409, "status", "frozen",
                f"Offerten är {stored.get_status_display().lower()} och kan inte ändras: en signerad offert "
                "ändras aldrig. Gör en ny revision i appen för att ändra den.",
            )
        changes = quote_changes(data, quote=stored, catalog=catalog_for(stored.price_list))
        changed = [name for name, value in changes.items() if getattr(stored, name) != value]
        for name in changed:
            setattr(stored, name, changes[name])
        stored.save(update_fields=[*changed, "updated_at"])
        if changed:
            _record(stored, {name: changes[name] for name in changed}, actor=user, request=request)
    return stored


def _record(quote: Quote, changes: dict, *, actor, request) -> None:
    quote_event_record(
        quote=quote, kind=QuoteEvent.Kind.STEP_SAVED, request=request, actor=actor,
        detail=f"API: {', '.join(changes)}",
    )
