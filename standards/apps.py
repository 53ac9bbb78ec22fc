from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = "Standards"

    def ready(self) -> None:
        from standards import demo  # noqa: F401 - registers the demo loader
        from standards.navigation import register_menu
        from standards.rules import register_rules
        from standards.workspace import register_panels

        register_rules()
        register_menu()
        register_panels()
