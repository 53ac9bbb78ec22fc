"""Tests of standards (the app is still to be built)."""
