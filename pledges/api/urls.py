from django.urls import include, path
from rest_framework.routers import DefaultRouter

from pledges.api import dip_views, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("dip-metrics", dip_views.DipMetricViewSet, basename="dip-metric")
router.register("expenditure-datasets", dip_views.ExpenditureDatasetViewSet, basename="expenditure-dataset")

app_name = "pledges-api"
urlpatterns = [path("", include(router.urls))]
