from django.urls import include, path

from portal.api.routers import PortalRouter
from procurement.api import views

router = PortalRouter()
router.register("items", views.ItemViewSet, basename="item")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("demand-signals", views.DemandSignalViewSet, basename="demand-signal")
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("call-offs", views.CallOffViewSet, basename="call-off")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")

app_name = "procurement-api"
urlpatterns = [path("", include(router.urls))]
