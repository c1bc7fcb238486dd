"""The commercial terms an offer states: the supplier (legal name, org.nr, VAT number,
F-skatt), the seller's phone, and the terms admins edit under *Offertvillkor*
(``quotes.models.OfferTerms``): payment, invoicing, contract start, renewal, notice,
delivery time and the general terms.

``terms_snapshot`` writes them into a snapshot (``quotes.offer.snapshot``): a draft's
describes today's row, a signed quote's keeps the row as it was when the seller signed.
The checks of the admin's form (org.nr and VAT number) are here too.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.se import orgnr, vat

from ..models import OfferTerms

# The snapshot's "commercial" keys, in the order the offer lists them.
COMMERCIAL_FIELDS = (
    "payment_terms", "invoicing_period", "contract_start", "renewal", "notice_period", "delivery_time",
)


def seller_phone(user) -> str:
    """The seller's phone (``configurator.SellerProfile``), or "" without a profile."""
    try:
        return user.seller_profile.phone
    except (ObjectDoesNotExist, AttributeError):
        return ""


def terms_snapshot(terms: OfferTerms | None = None) -> dict[str, Any]:
    """The snapshot's parts taken from the terms: ``company`` (the supplier, under
    ``seller``) and ``commercial`` (the terms of the deal)."""
    terms = terms or OfferTerms.current()
    return {
        "company": {
            "name": terms.supplier_name,
            "org_number": terms.org_number,
            "address": terms.address,
            "vat_number": terms.vat_number,
            "f_tax": terms.f_tax,
        },
        "commercial": {
            **{name: getattr(terms, name) for name in COMMERCIAL_FIELDS},
            "general_terms": {"name": terms.general_terms_name, "url": terms.general_terms_url},
        },
    }


def org_number_clean(value: str) -> str:
    """A Swedish org.nr written ``556430-0142``, or a ``ValidationError`` saying what is wrong."""
    value = value.strip()
    try:
        return orgnr.format(orgnr.validate(value))
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(_("Ett organisationsnummer har 10 siffror, t.ex. 556430-0142."), code="length")
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("Kontrollsiffran stämmer inte — kontrollera att organisationsnumret är rätt skrivet."),
            code="checksum",
        )
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("Organisationsnumret ska bara innehålla siffror, t.ex. 556430-0142."), code="format")


def vat_number_clean(value: str) -> str:
    """A Swedish VAT number written ``SE556430014201`` (SE, the org.nr's ten digits, 01)."""
    compact = re.sub(r"[\s.-]", "", value).upper()
    if not compact.startswith("SE"):
        compact = "SE" + compact
    try:
        return "SE" + vat.validate(compact)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("Ett svenskt momsregistreringsnummer är SE, organisationsnumrets tio siffror och 01, t.ex. SE556430014201."),
            code="format",
        )


def vat_matches_org_number(vat_number: str, org_number: str) -> bool:
    return re.sub(r"\D", "", vat_number)[:10] == re.sub(r"\D", "", org_number)
