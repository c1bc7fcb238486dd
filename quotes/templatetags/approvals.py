"""``{{ user|approves_discounts }}``: whether the header links "Godkännanden"."""

from django import template

from configurator.roles import may_approve_discounts

register = template.Library()


@register.filter
def approves_discounts(user) -> bool:
    return bool(user) and may_approve_discounts(user)
