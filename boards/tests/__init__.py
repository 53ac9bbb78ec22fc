"""Tests of boards (the app is still to be built)."""
