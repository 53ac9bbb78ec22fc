from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.api.routers import PortalRouter
from portal.api.tokens import ApiTokenViewSet
from portal.api.views import JobRunViewSet, MeView, NationViewSet

router = PortalRouter()
router.register("nations", NationViewSet, basename="nation")
router.register("jobs", JobRunViewSet, basename="jobrun")
router.register("tokens", ApiTokenViewSet, basename="api-token")

docs_view = SpectacularSwaggerSplitView.as_view(url_name="api-schema")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs page is for people: anonymous visitors are sent to the login page, not given JSON.
    # Swagger UI injects <style> elements, so this one page allows inline styles (never scripts).
    path(
        "docs/", login_required(csp_update({"style-src": [SELF, UNSAFE_INLINE]})(docs_view)), name="api-docs"
    ),
    path("", include(router.urls)),
]
