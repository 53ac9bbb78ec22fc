from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from portal import demo, permissions  # noqa: F401 - registers core rules and the demo loader
