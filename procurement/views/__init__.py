"""Procurement pages, one module per subject: the catalogue, demand, frameworks, call-offs,
deliveries, the analytics pages and the delivery file upload; ``procurement/urls.py`` maps them."""

# How many call-offs, deliveries or frameworks a detail page shows; the lists have the rest.
DETAIL_ROWS = 100
