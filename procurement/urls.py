"""Procurement's whole web URL map (the API's is ``procurement/api/urls.py``)."""

from django.urls import path

from procurement.views import analytics, calloffs, catalogue, deliveries, demand, frameworks, imports, ocds

app_name = "procurement"
urlpatterns: list = [
    path("items/", catalogue.item_list, name="item-list"),
    path("items/new/", catalogue.item_create, name="item-create"),
    path("items/<int:pk>/", catalogue.item_detail, name="item-detail"),
    path("items/<int:pk>/edit/", catalogue.item_edit, name="item-edit"),
    path("programmes/", catalogue.programme_list, name="programme-list"),
    path("programmes/new/", catalogue.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", catalogue.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", catalogue.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/members/new/", catalogue.programme_member_add, name="programme-member-add"),
    path("suppliers/", catalogue.supplier_list, name="supplier-list"),
    path("suppliers/new/", catalogue.supplier_create, name="supplier-create"),
    path("suppliers/<int:pk>/", catalogue.supplier_detail, name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", catalogue.supplier_edit, name="supplier-edit"),
    path("demand/", demand.demand_list, name="demand-list"),
    path("demand/entry/", demand.demand_entry, name="demand-entry"),
    path("demand/aggregate/", analytics.demand_aggregate, name="demand-aggregate"),
    path("demand/aggregate/<int:item_id>/<int:year>/", analytics.demand_drilldown, name="demand-drilldown"),
    path("frameworks/", frameworks.framework_list, name="framework-list"),
    path("frameworks/new/", frameworks.framework_create, name="framework-create"),
    path("frameworks/<int:pk>/", frameworks.framework_detail, name="framework-detail"),
    path("frameworks/<int:pk>/edit/", frameworks.framework_edit, name="framework-edit"),
    path("frameworks/<int:pk>/amend/", frameworks.framework_amend, name="framework-amend"),
    path(
        "frameworks/<int:pk>/participants/new/",
        frameworks.framework_participant_add,
        name="framework-participant-add",
    ),
    path("frameworks/<int:pk>/lines/new/", frameworks.framework_line_add, name="framework-line-add"),
    path("frameworks/<int:pk>/call-offs/new/", calloffs.calloff_create, name="call-off-create"),
    path("call-offs/", calloffs.calloff_list, name="call-off-list"),
    path("call-offs/<int:pk>/", calloffs.calloff_detail, name="call-off-detail"),
    path("call-offs/<int:pk>/deliveries/new/", deliveries.delivery_create, name="delivery-create"),
    path("deliveries/", deliveries.delivery_list, name="delivery-list"),
    path("deliveries/new/", deliveries.delivery_start, name="delivery-start"),
    path("deliveries/import/", imports.delivery_import, name="delivery-import"),
    path("deliveries/performance/", analytics.delivery_performance, name="delivery-performance"),
    path("deliveries/<int:pk>/", deliveries.delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/correct/", deliveries.delivery_correct, name="delivery-correct"),
    # The extension the OCDS feed lists (procurement/ocds_extension/): public, fetched by tools.
    path("ocds/extension/<path:name>", ocds.extension_file, name="ocds-extension"),
]
