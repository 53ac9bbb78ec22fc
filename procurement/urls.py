from procurement.views_analytics import urlpatterns as analytics_urlpatterns

app_name = "procurement"
urlpatterns: list = [*analytics_urlpatterns]
