from django.urls import path

from procurement import views
from procurement.views_analytics import urlpatterns as analytics_urlpatterns
from procurement.views_import import urlpatterns as import_urlpatterns

app_name = "procurement"
urlpatterns: list = [
    *analytics_urlpatterns,
    *import_urlpatterns,
    path("items/", views.item_list, name="item-list"),
    path("items/new/", views.item_create, name="item-create"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/members/new/", views.programme_member_add, name="programme-member-add"),
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/new/", views.supplier_create, name="supplier-create"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier-edit"),
    path("demand/", views.demand_list, name="demand-list"),
    path("demand/entry/", views.demand_entry, name="demand-entry"),
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/new/", views.framework_create, name="framework-create"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<int:pk>/edit/", views.framework_edit, name="framework-edit"),
    path("frameworks/<int:pk>/amend/", views.framework_amend, name="framework-amend"),
    path(
        "frameworks/<int:pk>/participants/new/",
        views.framework_participant_add,
        name="framework-participant-add",
    ),
    path("frameworks/<int:pk>/lines/new/", views.framework_line_add, name="framework-line-add"),
    path("frameworks/<int:pk>/call-offs/new/", views.calloff_create, name="calloff-create"),
    path("call-offs/", views.calloff_list, name="calloff-list"),
    path("call-offs/<int:pk>/", views.calloff_detail, name="calloff-detail"),
    path("call-offs/<int:pk>/deliveries/new/", views.delivery_create, name="delivery-create"),
    path("deliveries/", views.delivery_list, name="delivery-list"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/correct/", views.delivery_correct, name="delivery-correct"),
]
