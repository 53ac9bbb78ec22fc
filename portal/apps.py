from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from portal import demo, lookups, permissions  # noqa: F401 - registers core rules and the demo loader

        lookups.register()
