"""Keep ``PriceList.version`` moving with every change to a list, its items or footnotes,
so that a cached catalog (configurator.selectors) is never served after a change.

Bulk operations (``bulk_create``, ``QuerySet.update``) send no signals: code that uses
them on an existing list calls ``price_list_touch``.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Footnote, PriceItem, PriceList


def price_list_touch(price_list_id: int | None) -> None:
    if price_list_id:
        PriceList.objects.filter(pk=price_list_id).update(version=F("version") + 1)


@receiver(pre_save, sender=PriceList)
def _bump_list(sender, instance: PriceList, **kwargs) -> None:
    if instance.pk and not kwargs.get("raw"):
        current = PriceList.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        instance.version = (current or instance.version) + 1


@receiver(post_save, sender=PriceItem)
@receiver(post_delete, sender=PriceItem)
@receiver(post_save, sender=Footnote)
@receiver(post_delete, sender=Footnote)
def _bump_owner(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        price_list_touch(instance.price_list_id)
