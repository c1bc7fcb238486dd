from django.apps import AppConfig


class ConfiguratorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "configurator"
    verbose_name = "Prislistor"

    def ready(self) -> None:
        from . import signals  # noqa: F401

