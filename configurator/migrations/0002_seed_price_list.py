"""Load the seed price list (shared/seed/smart-connect-price-list.txt) as published."""

from django.db import migrations
from django.utils import timezone


def load_seed(apps, schema_editor):
    from configurator import seed

    PriceList = apps.get_model("configurator", "PriceList")
    Footnote = apps.get_model("configurator", "Footnote")
    PriceItem = apps.get_model("configurator", "PriceItem")
    price_list = seed.load(PriceList, Footnote, PriceItem)
    price_list.published_at = timezone.now()
    price_list.save(update_fields=["published_at"])

    # The history starts with the seed, so the first admin change shows old -> new.
    now = timezone.now()
    for model_name in ("PriceList", "Footnote", "PriceItem"):
        model = apps.get_model("configurator", model_name)
        historical = apps.get_model("configurator", f"Historical{model_name}")
        fields = [f.attname for f in model._meta.concrete_fields]
        historical.objects.bulk_create(
            historical(**{f: getattr(obj, f) for f in fields}, history_date=now, history_type="+")
            for obj in model.objects.all()
        )


def unload_seed(apps, schema_editor):
    from configurator import seed

    apps.get_model("configurator", "PriceList").objects.filter(name=seed.PRICE_LIST["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("configurator", "0001_initial")]

    operations = [migrations.RunPython(load_seed, unload_seed)]
