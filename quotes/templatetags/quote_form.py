"""``{% field_row "name" %}``: a step form's field with its label, help, and messages
(the form's own errors and the pricing engine's problems for that field)."""

from django import forms, template

from ..draft.forms import SEEN_PREFIX
from ..draft.steps import field_is_invalid

register = template.Library()


@register.inclusion_tag("quotes/draft/_field.html", takes_context=True)
def field_row(context, name: str, css: str = ""):
    form = context["form"]
    if name not in form.fields:  # an item the admin has taken off the price list
        return {"field": None}
    bound = form[name]
    widget = bound.field.widget
    errors = form.errors.get(name, []) if form.is_bound else []
    problems = context.get("field_problems", {}).get(name, [])
    invalid = field_is_invalid(errors, problems)  # as the live update (static/js/step-form.js)
    described = [f"msg-{name}"]
    if bound.help_text:
        described.insert(0, f"help-{name}")
    attrs = {"aria-describedby": " ".join(described)}
    if invalid:
        attrs["aria-invalid"] = "true"
    if isinstance(widget, forms.RadioSelect):
        kind = "radio"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    else:
        kind = "input"
    # What this page shows, posted beside the value: the step form's three-way merge
    # (StepForm.valid_data) never writes back a value the seller did not change.
    seen = forms.HiddenInput().render(f"{SEEN_PREFIX}-{name}", bound.initial, {"id": f"seen-{name}"})
    return {
        "field": bound,
        "kind": kind,
        "widget": bound.as_widget(attrs=attrs) + seen,
        "errors": errors,
        "problems": problems,
        "invalid": invalid,
        "css": css,
    }


@register.filter
def percent(rate) -> str:
    """A VAT rate as a percentage: Decimal("0.25") → "25"."""
    from decimal import Decimal

    from .money import format_number

    return format_number((Decimal(str(rate)) * 100).normalize())
