"""Standards' whole web URL map (the API's is ``standards/api/urls.py``)."""

from django.urls import path

from standards.views import alerts, catalogue, imports, matrix, responses, reviews

app_name = "standards"
urlpatterns = [
    # The catalogue: one row per edition.
    path("", catalogue.standard_list, name="standard-list"),
    path("new/", catalogue.standard_create, name="standard-create"),
    path("<int:pk>/", catalogue.standard_detail, name="standard-detail"),
    path("<int:pk>/edit/", catalogue.standard_edit, name="standard-edit"),
    # What items require, and the designations the migration could not match.
    path("<int:pk>/items/add/", reviews.requirement_add, name="requirement-add"),
    path("requirements/<int:pk>/remove/", reviews.requirement_remove, name="requirement-remove"),
    path("unmatched/", reviews.unmatched_list, name="unmatched-list"),
    path("unmatched/<int:pk>/resolve/", reviews.unmatched_resolve, name="unmatched-resolve"),
    # Domains, kept by the secretariat.
    path("domains/", reviews.domain_list, name="domain-list"),
    path("domains/new/", reviews.domain_create, name="domain-create"),
    path("domains/<int:pk>/edit/", reviews.domain_edit, name="domain-edit"),
    # The review process and change proposals.
    path("reviews/", reviews.review_list, name="review-list"),
    path("<int:pk>/reviews/new/", reviews.review_open, name="review-open"),
    path("reviews/<int:pk>/start/", reviews.review_start, name="review-start"),
    path("reviews/<int:pk>/complete/", reviews.review_complete, name="review-complete"),
    path("proposals/", reviews.proposal_list, name="proposal-list"),
    path("<int:pk>/proposals/new/", reviews.proposal_submit, name="proposal-submit"),
    path("proposals/<int:pk>/decide/", reviews.proposal_decide, name="proposal-decide"),
    # Nations' responses: the matrix, a nation's page, the bulk form.
    path("matrix/", matrix.matrix, name="matrix"),
    path("nations/<int:pk>/", responses.nation_detail, name="nation-detail"),
    path("responses/", responses.response_form, name="response-form"),
    # Interoperability alerts.
    path("alerts/", alerts.alert_list, name="alert-list"),
    # Imports from CSV or XLSX.
    path("import/catalogue/", imports.catalogue_import, name="catalogue-import"),
    path("import/responses/", imports.responses_import, name="responses-import"),
]
