"""Items' free lists of STANAG designations (``Item.stanags``) become requirements on editions.

A designation names a STANAG by number, with or without an edition ("STANAG 4425", "4425",
"4425.2", "STANAG 4425 Ed. 2"). It is linked to that edition when one is given; else to the
promulgated edition; else to the only edition of that number. Whatever cannot be matched (no such
STANAG or edition, several editions and none promulgated, not a STANAG designation) is kept as an
``UnmatchedDesignation`` for the secretariat to resolve, and reported. Reversible: the reverse
writes the designations back onto the items. ``procurement.0003`` then drops the field.
"""

from django.db import migrations

from standards.designations import format_designation, parse_designation

# UnmatchedDesignation.designation's length; a longer entry of the old free list is cut to it.
DESIGNATION_LENGTH = 60


def _match(Standard, number: str, edition: str | None):
    """The edition a designation names, or None when it names none or several."""
    editions = list(Standard.objects.filter(doc_type="stanag", number=number).order_by("pk"))
    if edition is not None:
        return next((e for e in editions if e.edition.upper() == edition.upper()), None)
    promulgated = [e for e in editions if e.status == "promulgated"]
    if len(promulgated) == 1:
        return promulgated[0]
    return editions[0] if len(editions) == 1 else None


def _designations(values) -> list[str]:
    """The old list's entries as text, trimmed, without blanks, NUL bytes or repeats."""
    texts = (str(value).replace("\x00", "").strip() for value in values or ())
    return list(dict.fromkeys(text for text in texts if text))


def forward(apps, schema_editor):
    Item = apps.get_model("procurement", "Item")
    Standard = apps.get_model("standards", "Standard")
    ItemRequirement = apps.get_model("standards", "ItemRequirement")
    UnmatchedDesignation = apps.get_model("standards", "UnmatchedDesignation")
    linked, unmatched = 0, []
    for item in Item.objects.order_by("pk"):
        for text in _designations(item.stanags):
            parsed = parse_designation(text)
            standard = _match(Standard, *parsed) if parsed else None
            if standard is None:
                UnmatchedDesignation.objects.get_or_create(item=item, designation=text[:DESIGNATION_LENGTH])
                unmatched.append(f"{item.code}: {text}")
            else:
                ItemRequirement.objects.get_or_create(item=item, standard=standard)
                linked += 1
    # Quiet when there was nothing to move (a new database, the test database).
    if linked or unmatched:
        print(f"\n  Item STANAGs: {linked} linked to editions, {len(unmatched)} kept unmatched")
        for line in unmatched:
            print(f"    unmatched {line}")


def _written_back(Standard, standard) -> str:
    """A requirement as an entry of the old list. The edition is written when the number has
    several, so the entry keeps naming this edition after a new one is promulgated."""
    if standard.doc_type != "stanag":
        # The old list held STANAGs only; the text keeps what the item required all the same.
        code = (
            standard.number if standard.doc_type == "ap" else f"{standard.doc_type.upper()} {standard.number}"
        )
        return f"{code} Ed. {standard.edition}"
    several = Standard.objects.filter(doc_type="stanag", number=standard.number).count() > 1
    return format_designation(standard.number, standard.edition if several else None)


def backward(apps, schema_editor):
    Item = apps.get_model("procurement", "Item")
    Standard = apps.get_model("standards", "Standard")
    ItemRequirement = apps.get_model("standards", "ItemRequirement")
    UnmatchedDesignation = apps.get_model("standards", "UnmatchedDesignation")
    lists: dict[int, list[str]] = {}
    for requirement in ItemRequirement.objects.select_related("standard").order_by("pk"):
        lists.setdefault(requirement.item_id, []).append(_written_back(Standard, requirement.standard))
    for unmatched in UnmatchedDesignation.objects.order_by("pk"):
        lists.setdefault(unmatched.item_id, []).append(unmatched.designation)
    for item in Item.objects.filter(pk__in=lists):
        item.stanags = list(dict.fromkeys(lists[item.pk]))
        item.save(update_fields=["stanags"])
    # The lists hold it all again, so migrating forward once more starts from them alone.
    ItemRequirement.objects.all().delete()
    UnmatchedDesignation.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0001_initial"),
        ("procurement", "0002_idempotencyrecord_to_portal"),
    ]

    operations = [migrations.RunPython(forward, backward)]
