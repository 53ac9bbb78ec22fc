"""Mark the audit rows already written about unsubmitted drafts as private to their nation."""

from django.db import migrations

ENTRY_MODELS = ("plansection", "capacityline", "investment", "measure")


def mark_drafts(apps, schema_editor):
    ObjectChange = apps.get_model("portal", "ObjectChange")
    ContentType = apps.get_model("contenttypes", "ContentType")
    NationalPlan = apps.get_model("pledges", "NationalPlan")
    PlanVersion = apps.get_model("pledges", "PlanVersion")
    ExpenditureDataset = apps.get_model("pledges", "ExpenditureDataset")
    types = {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="pledges")}
    if not types:
        return  # a fresh database: no rows yet
    versions = {v.pk: v for v in PlanVersion.objects.select_related("plan")}
    plans = {str(p.pk): p for p in NationalPlan.objects.all()}
    datasets = {d.pk: d for d in ExpenditureDataset.objects.all()}

    def draft_return(dataset_id):
        dataset = datasets.get(dataset_id)
        private = dataset is not None and dataset.source == "national_return" and dataset.status == "draft"
        return (f"pledges.expendituredataset:{dataset.pk}" if private else ""), (
            dataset.nation_id if dataset else None
        )

    wanted = [
        types[m]
        for m in ("nationalplan", *ENTRY_MODELS, "expendituredataset", "expenditurerecord")
        if m in types
    ]
    by_type = {pk: model for model, pk in types.items()}
    for change in ObjectChange.objects.filter(content_type_id__in=wanted).iterator():
        model = by_type[change.content_type_id]
        snapshot = change.after if isinstance(change.after, dict) else (change.before or {})
        key, nation_id = "", change.nation_id
        if model == "nationalplan":
            plan = plans.get(change.object_id)
            if plan is not None:
                nation_id = plan.nation_id
                if plan.first_submitted_at is None and plan.current_version_id:
                    key = f"pledges.planversion:{plan.current_version_id}"
        elif model in ENTRY_MODELS:
            version = versions.get(snapshot.get("plan_version_id"))
            if version is not None:
                nation_id = version.plan.nation_id
                if not version.frozen:
                    key = f"pledges.planversion:{version.pk}"
        elif model == "expendituredataset":
            key, nation_id = draft_return(int(change.object_id))
        else:
            key, _ = draft_return(snapshot.get("dataset_id"))
        if key != change.draft_key or nation_id != change.nation_id:
            ObjectChange.objects.filter(pk=change.pk).update(draft_key=key, nation_id=nation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0002_dip_metrics"),
        ("portal", "0003_objectchange_privacy"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(mark_drafts, migrations.RunPython.noop)]
