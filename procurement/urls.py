from django.urls import path  # noqa: F401 - views are added by the procurement web views

app_name = "procurement"
urlpatterns: list = []
