"""The thin API base every app's API builds on: token authentication, throttling, bounded JSON
parsing, the one error format and the schema that documents it on every operation, pagination and a
router without format suffixes."""
