"""portal/forms.py: QuickSelect writes the markup Django's Select writes, option for option."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from portal.forms import QuickSelect

CHOICES = [
    ("", "---------"),
    (1, "155 mm <HE> shell & fuze"),
    (2, 'Javelin "FGM-148"'),
    ("Groups", [(3, "In a group"), (4, "Also grouped")]),
]


ATTRS = {"id": "id_item", "class": "wide", "required": True, "disabled": False}


@pytest.mark.parametrize("value", [None, "", 1, "2", 4, [1]])
@pytest.mark.parametrize("attrs", [None, ATTRS])
def test_quick_select_writes_what_select_writes(value, attrs):
    django_html = forms.Select(choices=CHOICES).render("item", value, attrs=attrs)
    quick_html = QuickSelect(choices=CHOICES).render("item", value, attrs=attrs)
    assert parse_html(quick_html) == parse_html(django_html)
    assert "&lt;HE&gt;" in quick_html  # labels escaped


def test_quick_select_in_a_bound_form_keeps_the_choice():
    class Form(forms.Form):
        item = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(Form({"item": "3"})["item"])
    assert parse_html('<option value="3" selected>In a group</option>') in parse_html(html)


# --- The shared form templates: what aria-describedby names is on the page ------------------------


class _Described(forms.Form):
    name = forms.CharField(help_text="As on the passport.")
    kind = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pick one."
    )
    count = forms.IntegerField(min_value=1)


@pytest.mark.parametrize(
    "template", ["portal/_form_fields.html", "portal/_filter_form.html"], ids=["form", "filter"]
)
@pytest.mark.parametrize("data", [None, {"name": "", "kind": "z", "count": "0"}], ids=["blank", "errors"])
def test_help_and_errors_have_the_ids_their_fields_point_at(template, data):
    """Django points each widget's aria-describedby at ``<id>_helptext`` and ``<id>_error``; the
    shared templates must render both ids, for plain fields and fieldsets alike."""
    from django.template.loader import render_to_string

    from tests.matrix import dangling_references

    form = _Described(data)
    if data:
        assert not form.is_valid()
    html = render_to_string(template, {"form": form, "filter": type("F", (), {"form": form})()})
    assert "aria-describedby" in html
    assert dangling_references(html) == []
    if data:
        assert 'id="id_count_error"' in html
        assert 'aria-describedby="id_count_error"' in html
