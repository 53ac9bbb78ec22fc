from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement"

    def ready(self) -> None:
        from procurement import demo  # noqa: F401 - registers the demo loader
        from procurement.navigation import register_menu
        from procurement.rules import register_rules
        from procurement.workspace import register_panels

        register_rules()
        register_menu()
        register_panels()
