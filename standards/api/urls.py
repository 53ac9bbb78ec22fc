from django.urls import include, path

from portal.api.routers import PortalRouter
from standards.api import imports, views

router = PortalRouter()
router.register("domains", views.DomainViewSet, basename="domain")
router.register("standards", views.StandardViewSet, basename="standard")
router.register("responses", views.ResponseViewSet, basename="response")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("alerts", views.AlertViewSet, basename="alert")

app_name = "standards-api"
urlpatterns = [
    path("import/catalogue/", imports.CatalogueImportView.as_view(), name="catalogue-import"),
    path("import/responses/", imports.ResponsesImportView.as_view(), name="responses-import"),
    path("", include(router.urls)),
]
