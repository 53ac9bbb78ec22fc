"""Pledges' browser views, one module per screen family; ``pledges/urls.py`` maps them all.
Views parse and render only: reads go through ``pledges.selectors``, writes through services."""
