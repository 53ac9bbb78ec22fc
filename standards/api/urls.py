from django.urls import include, path

from portal.api.routers import PortalRouter

router = PortalRouter()

app_name = "standards-api"
urlpatterns = [path("", include(router.urls))]
