"""Tests of the core, and shared test helpers (factories, OpenAPI checks, workbooks, a worker)."""
