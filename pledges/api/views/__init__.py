"""Pledges' API views, thin: input serializer, service, output serializer. Plans (``plans``), and
expenditure datasets, returns and DIP metrics (``dip``); ``pledges/api/urls.py`` routes them."""
