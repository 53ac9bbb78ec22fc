"""The upload forms: a plan's capacity lines (XLSX) and a NATO edition's two expenditure tables
(CSV). They check the files' size and kind; the readers check their rows."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.expenditure_import import MAX_FILE_BYTES, decode, kind_of
from pledges.models import YEAR_MAX, YEAR_MIN
from portal.uploads import ImportRejected, read_upload


class CapacityUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Capacity lines (XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


KINDS = {
    "national_currency": (
        "nc",
        gettext_lazy("This looks like the USD file (Tables 2 and 5); use the other box."),
    ),
    "usd": ("usd", gettext_lazy("This looks like the national-currency file (Table 1); use the other box.")),
}


class EditionImportForm(forms.Form):
    edition_year = forms.IntegerField(label=gettext_lazy("Edition"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    price_base_year = forms.IntegerField(
        label=gettext_lazy("Price base year"), min_value=YEAR_MIN, max_value=YEAR_MAX, initial=2021
    )
    published_on = forms.DateField(
        label=gettext_lazy("Published on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    national_currency = forms.FileField(
        label=gettext_lazy("Table 1 file: national currency (defence-expenditure-YYYY-edition.csv)"),
        required=False,
    )
    usd = forms.FileField(
        label=gettext_lazy("Tables 2 and 5 file: USD (defence-expenditure-YYYY-edition-usd.csv)"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        self.texts: dict[str, tuple[str, str]] = {}
        for field, (kind, wrong_box) in KINDS.items():
            upload = data.get(field)
            if not upload:
                continue
            try:
                content = read_upload(
                    upload,
                    MAX_FILE_BYTES,
                    too_large=_("The file is larger than %(n)s bytes.") % {"n": f"{MAX_FILE_BYTES:,}"},
                )
                text = decode(upload.name, content)
            except ImportRejected as exc:
                # Under the file's own field, a problem with the file as a whole needs no "file:".
                self.add_error(field, [str(error) if error.file else error.message for error in exc.errors])
                continue
            if kind_of(text) != kind:
                self.add_error(field, wrong_box)
                continue
            self.texts[kind] = (upload.name, text)
        if not self.errors and not self.texts:
            raise ValidationError(_("Choose at least one of the edition's files."))
        return data
