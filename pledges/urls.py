"""Pledges' whole browser URL map (the API's is ``pledges/api/urls.py``)."""

from django.urls import path

from pledges.views import capacity, dip, dip_import, editor, export, returns, review

app_name = "pledges"
urlpatterns = [
    # The director's plans and the plan editor
    path("", editor.plan_home, name="plan-home"),
    path("cycles/<int:cycle_pk>/start/", editor.plan_start, name="plan-start"),
    path("plans/<int:pk>/", editor.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/submit/", editor.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/sections/<int:commitment>/", editor.section_save, name="section-save"),
    path("plans/<int:pk>/entries/<str:kind>/", editor.entry_add, name="entry-add"),
    path("plans/<int:pk>/entries/<str:kind>/<int:entry_id>/", editor.entry_edit, name="entry-edit"),
    path(
        "plans/<int:pk>/entries/<str:kind>/<int:entry_id>/delete/", editor.entry_delete, name="entry-delete"
    ),
    # The secretariat's review, and diffs
    path("review/", review.plan_list, name="plan-list"),
    path("review/<int:pk>/", review.plan_review, name="plan-review"),
    path("review/<int:pk>/start/", review.plan_start_review, name="plan-start-review"),
    path("review/<int:pk>/return/", review.plan_return, name="plan-return"),
    path("review/<int:pk>/accept/", review.plan_accept, name="plan-accept"),
    path("plans/<int:pk>/diff/", review.plan_diff, name="plan-diff"),
    path("plans/<int:pk>/diff/last-cycle/", review.plan_diff_yoy, name="plan-diff-yoy"),
    # Plan downloads and the capacity-line upload
    path("plans/<int:pk>/export.pdf", export.plan_pdf, name="plan-pdf"),
    path("plans/<int:pk>/export.xlsx", export.plan_xlsx, name="plan-xlsx"),
    path("plans/<int:pk>/capacity/upload/", export.capacity_upload_view, name="capacity-upload"),
    # Capacity against demand
    path("capacity/", capacity.capacity_vs_demand, name="capacity-vs-demand"),
    # The CNAD compliance dashboard
    path("dip/", dip.dashboard, name="dip-dashboard"),
    path("dip/nations/<str:code>/", dip.nation, name="dip-nation"),
    path("dip/export/", dip.export, name="dip-export"),
    # NATO editions, imported in the browser
    path("expenditure/import/", dip_import.edition_import, name="dip-edition-import"),
    # Expenditure datasets and national returns
    path("expenditure/", returns.dataset_list, name="dip-datasets"),
    path("expenditure/start/", returns.return_start, name="dip-return-start"),
    path("expenditure/<int:pk>/", returns.dataset_detail, name="dip-dataset"),
    path(
        "expenditure/<int:pk>/make-reference/",
        returns.dataset_make_reference,
        name="dip-dataset-make-reference",
    ),
    path("expenditure/<int:pk>/records/add/", returns.record_add, name="dip-record-add"),
    path("expenditure/<int:pk>/records/<int:record_pk>/", returns.record_edit, name="dip-record-edit"),
    path(
        "expenditure/<int:pk>/records/<int:record_pk>/delete/",
        returns.record_delete,
        name="dip-record-delete",
    ),
    path("expenditure/<int:pk>/submit/", returns.return_submit, name="dip-return-submit"),
]
