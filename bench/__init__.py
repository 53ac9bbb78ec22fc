"""Benchmarks: scripts that print performance figures (``make bench``)."""
