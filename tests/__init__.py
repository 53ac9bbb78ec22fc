"""Cross-app tests: the URL matrix and its generator (``matrix.py``), role checks, audit privacy,
hostile input, browser journeys."""
