from django.apps import AppConfig
from django.apps import apps as global_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal core"

    def ready(self) -> None:
        if self.apps is not global_apps:
            # A registry of its own (django.test.utils.isolate_apps): the process-wide rules and
            # lookups are registered already, and registering the core's again would drop what the
            # other apps added to them (permissions.extend).
            return
        # demo registers the demo loader; tasks registers the jobs that services queue by name.
        from portal import demo, lookups, rules, tasks  # noqa: F401

        rules.register_rules()
        lookups.register()
