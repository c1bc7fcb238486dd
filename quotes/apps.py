from django.apps import AppConfig


class QuotesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quotes"
    verbose_name = "Offerter"

    def ready(self):
        from configurator.diff import impact_provider_register

        from . import signals  # noqa: F401 - a signed quote is frozen (quotes.signals)
        from .price_list_impact import price_list_affected

        # The admin's diff before publishing lists the quotes a new price list affects.
        impact_provider_register(price_list_affected)
