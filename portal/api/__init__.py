"""The thin API base every app's API builds on: token authentication, throttling, bounded JSON
parsing, the one error format, pagination and a router without format suffixes."""
