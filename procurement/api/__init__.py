"""The procurement REST API: serializers, viewsets over the selectors and services, and the
delivery-import endpoint; ``urls.py`` and ``import_urls.py`` hold its map."""
