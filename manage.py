#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from portal.env import EnvError

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load settings now, so a bad env fails with one line
    except EnvError as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
