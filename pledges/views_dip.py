"""The CNAD compliance dashboard (DIP metrics): being built."""

urlpatterns: list = []
