"""Tests of procurement; ``url_matrix*.py`` are its rows of the generated URL matrix."""
