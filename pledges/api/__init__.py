"""The pledges REST API: serializers (input and output only) and viewsets that call the selectors
and services, per subject (plans, dip); ``urls.py`` holds its whole map."""
