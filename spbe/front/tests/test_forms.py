"""The shared form presentation: the directly rendered <select> gives the
same HTML as Django's template (issue 5, Speed)."""

from django import forms
from django.test.html import parse_html

from spbe.front.forms import DirectSelectMixin, StyledFormMixin


class Sample(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("", "Semua"), ("a", 'Aduan <& "kutip">'), ("b", "Permintaan")])
    grouped = forms.ChoiceField(choices=[("Kelompok 1", [("1", "Satu"), ("2", "Dua")]), ("3", "Tiga")])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)


def normalised(html: str):
    """Compared as HTML: same elements, attributes (in any order) and text."""
    return parse_html(str(html))


def test_direct_select_renders_like_the_template():
    form = Sample({"kind": "a", "grouped": "2", "many": ["x", "y"]})
    form.is_valid()
    form.fields["kind"].widget.attrs["aria-invalid"] = "true"
    for name in ("kind", "grouped", "many"):
        widget = form.fields[name].widget
        assert isinstance(widget, DirectSelectMixin)
        direct_html = form[name].as_widget()
        widget.__class__ = type(widget).__mro__[2]  # back to Django's own widget and its template
        assert not isinstance(widget, DirectSelectMixin)
        assert normalised(direct_html) == normalised(form[name].as_widget())
    assert "selected" in str(form["kind"]) and "Aduan &lt;&amp; &quot;kutip&quot;&gt;" in str(form["kind"])
