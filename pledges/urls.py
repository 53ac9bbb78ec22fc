from pledges.views_capacity import urlpatterns as capacity_urlpatterns
from pledges.views_dip import urlpatterns as dip_urlpatterns
from pledges.views_dip_import import urlpatterns as dip_import_urlpatterns
from pledges.views_editor import urlpatterns as editor_urlpatterns
from pledges.views_export import urlpatterns as export_urlpatterns
from pledges.views_returns import urlpatterns as returns_urlpatterns
from pledges.views_review import urlpatterns as review_urlpatterns

app_name = "pledges"
urlpatterns: list = [
    *editor_urlpatterns,
    *review_urlpatterns,
    *export_urlpatterns,
    *capacity_urlpatterns,
    *dip_urlpatterns,
    *dip_import_urlpatterns,
    *returns_urlpatterns,
]
