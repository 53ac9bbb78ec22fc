from django.urls import include, path

from pledges.api import dip_views, views
from portal.api.routers import PortalRouter

router = PortalRouter()
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("dip-metrics", dip_views.DipMetricViewSet, basename="dip-metric")
router.register("expenditure-datasets", dip_views.ExpenditureDatasetViewSet, basename="expenditure-dataset")

app_name = "pledges-api"
urlpatterns = [path("", include(router.urls))]
