from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from portal.api.views import MeView, NationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("nations", NationViewSet, basename="nation")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs page is for people: anonymous visitors are sent to the login page, not given JSON.
    path(
        "docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"
    ),
    path("", include(router.urls)),
]
