from django.urls import include, path

from pledges.api.views import dip, plans
from portal.api.routers import PortalRouter

router = PortalRouter()
router.register("cycles", plans.CycleViewSet, basename="cycle")
router.register("plans", plans.PlanViewSet, basename="plan")
router.register("dip-metrics", dip.DipMetricViewSet, basename="dip-metric")
router.register("expenditure-datasets", dip.ExpenditureDatasetViewSet, basename="expenditure-dataset")

app_name = "pledges-api"
urlpatterns = [path("", include(router.urls))]
