"""Procurement demo data (filled in below)."""
