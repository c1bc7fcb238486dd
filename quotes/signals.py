"""A signed quote is frozen: the last line of defence below every view, form, API and
admin page. Saving a quote whose stored row is signed may change only its lifecycle
(status, sending, the customer's answer); anything else raises ``FrozenQuoteError``.
"""

from __future__ import annotations

from django.db.models import FileField
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from .models import TOTAL_COLUMNS, Quote

# What may still change after signing: the offer's lifecycle, never its content.
LIFECYCLE_FIELDS = frozenset(
    {
        "status", "updated_at", "sent_at", "opened_at",
        "accepted_at", "accepted_name", "accepted_title", "accepted_ip",
        "accepted_user_agent", "accepted_sha256", "accepted_pdf",
        "accepted_alternative", "accepted_options", "accepted_pricing",
        "declined_at", "declined_reason",
    }
)


class FrozenQuoteError(Exception):
    """Someone tried to change (or delete) a signed quote."""


def _frozen_fields():
    return [f for f in Quote._meta.concrete_fields if f.name not in LIFECYCLE_FIELDS and not f.primary_key]


def _accepted_total(name: str, instance: Quote) -> bool:
    """A total column set to the accepted choice's total (an offer with alternatives or
    options: the deal is what the customer chose, ``quote_accept``); nothing else."""
    key = dict(TOTAL_COLUMNS).get(name)
    totals = (instance.accepted_pricing or {}).get("totals") or {}
    value = getattr(instance, name)
    return key is not None and totals.get(key) is not None and value is not None and f"{value:.2f}" == totals[key]


def _normalised(field, value):
    if isinstance(field, FileField):
        return getattr(value, "name", value) or ""
    return value


@receiver(pre_save, sender=Quote, dispatch_uid="quote_frozen_guard")
def quote_frozen_guard(sender, instance: Quote, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= LIFECYCLE_FIELDS:
        return
    fields = _frozen_fields()
    stored = Quote.objects.filter(pk=instance.pk).values(*(f.attname for f in fields)).first()
    if stored is None or stored["signed_at"] is None:
        return
    if update_fields is not None:
        fields = [f for f in fields if f.name in update_fields or f.attname in update_fields]
    changed = [
        f.name
        for f in fields
        if _normalised(f, getattr(instance, f.attname)) != _normalised(f, stored[f.attname])
        and not _accepted_total(f.name, instance)
    ]
    if changed:
        raise FrozenQuoteError(
            f"Quote {instance.pk} ({stored['number']} {stored['revision']}) is signed; "
            f"{', '.join(sorted(changed))} cannot change."
        )


@receiver(pre_delete, sender=Quote, dispatch_uid="quote_frozen_delete_guard")
def quote_frozen_delete_guard(sender, instance: Quote, **kwargs):
    if Quote.objects.filter(pk=instance.pk, signed_at__isnull=False).exists():
        raise FrozenQuoteError(f"Quote {instance.pk} is signed and cannot be deleted.")
