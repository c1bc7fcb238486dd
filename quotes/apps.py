from django.apps import AppConfig


class QuotesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quotes"
    verbose_name = "Offerter"

    def ready(self):
        from . import signals  # noqa: F401 - a signed quote is frozen (quotes.signals)
