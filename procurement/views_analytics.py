"""Procurement analytics pages (aggregated demand, delivery performance)."""

urlpatterns: list = []
