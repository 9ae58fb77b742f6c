"""The shared form presentation: the directly rendered <select> and <input>
give the same HTML as Django's templates (issue 5, Speed)."""

from django import forms
from django.test.html import parse_html

from spbe.front.forms import DirectInputMixin, DirectSelectMixin, StyledFormMixin


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


class Inputs(StyledFormMixin, forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'Mis. "A" & <B>'}))
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    mail = forms.EmailField(required=False)
    count = forms.IntegerField(min_value=1, required=False)
    agree = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def test_direct_input_renders_like_the_template():
    form = Inputs({"text": '<b>"tebal"</b>', "when": "2026-11-20", "count": "0", "agree": "on", "secret": "rahasia"})
    form.is_valid()  # count is invalid: is-invalid and aria-invalid="true" on it
    for name in form.fields:
        widget = form.fields[name].widget
        assert isinstance(widget, DirectInputMixin), name
        direct_html = form[name].as_widget()
        widget.__class__ = type(widget).__mro__[2]
        assert normalised(direct_html) == normalised(form[name].as_widget()), name
    assert 'value="&lt;b&gt;&quot;tebal&quot;&lt;/b&gt;"' in str(form["text"])
    assert "checked" in str(form["agree"]) and "rahasia" not in str(form["secret"])
    assert 'aria-invalid="true"' in str(form["count"])


class Choices(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("a", "Aduan"), ("b", "Permintaan")], widget=forms.RadioSelect)
    days = forms.MultipleChoiceField(choices=[("1", "Senin")], widget=forms.CheckboxSelectMultiple, required=False)


def test_radio_and_checkbox_options_are_not_styled_as_text_boxes():
    """Styled as text boxes, the portal's "Ada gangguan / Saya butuh layanan"
    options showed as empty bars with the label below (issue 15's review)."""
    html = str(Choices()["kind"]) + str(Choices()["days"])
    assert html.count('type="radio"') == 2 and html.count('type="checkbox"') == 1
    assert "form-control" not in html
