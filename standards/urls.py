"""Standards' whole web URL map (the API's is ``standards/api/urls.py``)."""

from django.urls import path  # noqa: F401 - the pages add their patterns here

app_name = "standards"
urlpatterns: list = []
