from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = "Pledges"

    def ready(self) -> None:
        from pledges.rules import register_rules

        register_rules()
