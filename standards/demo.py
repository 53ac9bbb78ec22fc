"""Demo data for the standards app (loaded by ``manage.py demo``)."""
