"""Form presentation shared by every app: Bootstrap classes on widgets and
invalid fields marked for assistive technology."""

from functools import cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"


class DirectSelectMixin:
    """Renders a <select> in Python with Django's own option logic
    (``get_context``): the stock template includes two sub-templates per
    option, which made the queue's filter bar half the cost of the page
    (issue 5, Speed). Same HTML as the template, tested."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html('<option value="{}"{}>{}</option>', str(o["value"]), flatatt(o["attrs"]), o["label"])
                for o in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


# Django's <input> widgets whose template is only input.html (and attrs.html).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password", "search",
                 "tel", "text", "time", "url")
)  # fmt: skip


class DirectInputMixin:
    """Renders an <input> in Python, as input.html and attrs.html would: two
    templates per field on every form page (issue 5, Speed). Same HTML,
    tested."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, flatatt(widget["attrs"])
        )


@cache
def direct(widget_class: type, mixin: type) -> type:
    return type(widget_class.__name__, (mixin, widget_class), {})


class StyledFormMixin:
    """Adds ``form-control`` / ``form-select`` / ``form-check-input`` and, after
    validation, ``is-invalid`` with ``aria-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple
                # its class lands on the wrapper and on every option alike: as form-control each
                # option drew as an empty bar; templates wrap the options in .form-check themselves
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if widget.template_name == SELECT_TEMPLATE:
                widget.__class__ = direct(type(widget), DirectSelectMixin)
            elif widget.template_name in INPUT_TEMPLATES:
                widget.__class__ = direct(type(widget), DirectInputMixin)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
