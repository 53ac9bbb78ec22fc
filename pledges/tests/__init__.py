"""Tests of pledges; ``url_matrix*.py`` are its rows of the generated URL matrix."""
