from django.urls import path

from procurement.api.imports import DeliveryImportView

urlpatterns = [
    path("", DeliveryImportView.as_view(), name="delivery-import"),
]
