"""Phone numbers as the offer writes them: one rule for the customer's contact and the
seller (python-phonenumbers, Swedish numbers without a country code)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def phone_clean(value: str) -> str:
    """``value`` written the international way ("+46 70 123 45 67"), "" for nothing;
    ``ValidationError`` for what is not a valid number."""
    value = value.strip()
    if not value:
        return ""
    message = _("Telefonnumret är inte giltigt — skriv t.ex. 070-123 45 67 eller +46 8 123 456 78.")
    try:
        number = phonenumbers.parse(value, "SE")
    except phonenumbers.NumberParseException:
        raise ValidationError(message, code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
