from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = "Pledges"

    def ready(self) -> None:
        from pledges import demo  # noqa: F401 - registers the demo loader
        from pledges.navigation import register_menu
        from pledges.rules import register_rules

        register_rules()
        register_menu()
