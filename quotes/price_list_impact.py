"""Which quotes a new price list affects, with their totals before and after, for the
diff before publishing in the admin (``configurator.diff``; registered in
``QuotesConfig.ready`` so that ``configurator`` never imports ``quotes``).

What "affects" means, as the rest of the app behaves:

- **Open drafts** on another list keep their list (``quote.price_list``) when a new one is
  published. From the day the new list is in force each of them shows a banner with
  what changes and cannot be signed until the seller moves it (*Använd prislistan som
  gäller*, ``quote_reprice``): "after" is the draft priced on the new list, without the
  items that list does not sell, exactly as moving it would price it.
- **Sent offers** (sent or opened, still valid) are signed and never change: the customer
  accepts them at the signed prices ("before", the frozen totals). The new list prices
  them only if the seller makes a new revision (``quote_revise``) or renews them once
  expired: "after" is that price.

Both sides go through the engine (``catalog_for`` + ``price``, via ``quotes.pricing``).
An offer with alternatives is compared by one of them, named in its label: a draft by the
alternative the steps edit, a sent offer by the one its PDF shows (the first).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from configurator.diff import AffectedQuote, ImpactGroup, TotalsPair
from configurator.models import PriceList
from configurator.pricing import Catalog, InvalidConfiguration
from configurator.selectors import catalog_for

from .choices import alternatives_of
from .models import Quote
from .pricing import items_on_catalog, quote_pricing, quote_preview

PAGE = 100  # quotes listed per group (the count says how many there are)


def _label(quote: Quote, alternative: int) -> str:
    alternatives = alternatives_of(quote)
    if not alternatives:
        return str(quote)
    return _("%(quote)s (alternativ %(name)s)") % {"quote": quote, "name": alternatives[alternative].get("name", "")}


def _as_alternative(quote: Quote, index: int) -> Quote:
    """``quote`` with the items and agreed prices of its alternative ``index`` (itself
    when it has none)."""
    alternatives = alternatives_of(quote)
    if not alternatives:
        return quote
    alt = alternatives[index]
    return quote_preview(quote, {"items": dict(alt.get("items") or {}),
                                 "manual_prices": dict(alt.get("manual_prices") or {})})


def _after(quote: Quote, catalog: Catalog) -> tuple[TotalsPair | None, tuple[str, ...], tuple[str, ...]]:
    """The quote's configuration priced on ``catalog``: totals, dropped item names, errors."""
    own = catalog_for(quote.price_list)
    items, manual, dropped = items_on_catalog(catalog, quote.items or {}, quote.manual_prices or {})
    names = tuple(own.items[c].name if c in own.items else c for c in dropped)
    try:
        result = quote_pricing(quote_preview(quote, {"items": items, "manual_prices": manual}), catalog=catalog)
    except InvalidConfiguration as e:
        return None, names, (str(e),)
    t = result.totals
    return TotalsPair(t.one_time, t.monthly, t.contract_value), names, tuple(p.message for p in result.errors)


def _drafts(price_list: PriceList, catalog: Catalog) -> ImpactGroup:
    drafts = (
        Quote.objects.filter(status=Quote.Status.DRAFT)
        .exclude(price_list=price_list)
        .exclude(items={})
        .select_related("price_list")
        .order_by("-updated_at", "-id")
    )
    rows = []
    for quote in drafts[:PAGE]:
        try:
            now = quote_pricing(quote).totals
            before = TotalsPair(now.one_time, now.monthly, now.contract_value)
        except InvalidConfiguration:
            before = TotalsPair(None, None, None)
        after, dropped, problems = _after(quote, catalog)
        rows.append(AffectedQuote(
            label=_label(quote, quote.alternative_index), url=reverse("quotes:detail", args=[quote.pk]),
            price_list=quote.price_list.name, before=before, after=after, dropped=dropped, problems=problems,
        ))
    return ImpactGroup(
        title=_("Öppna utkast"),
        explanation=_(
            "Utkasten behåller sin prislista. När den nya listan gäller visar de vad som ändras och kan "
            "inte signeras förrän säljaren väljer «Använd prislistan som gäller»: «efter» är utkastet "
            "med den nya listan, utan artiklar som listan inte har."
        ),
        quotes=tuple(rows),
        total=drafts.count(),
    )


def _sent(price_list: PriceList, catalog: Catalog) -> ImpactGroup:
    from .offer.services import stockholm_today

    sent = (
        Quote.objects.filter(status__in=(Quote.Status.SENT, Quote.Status.OPENED), valid_until__gte=stockholm_today())
        .exclude(price_list=price_list)
        .select_related("price_list")
        .order_by("-signed_at", "-id")
    )
    rows = []
    for quote in sent[:PAGE]:
        # The signed totals are those of the first alternative (the one the PDF shows).
        after, dropped, problems = _after(_as_alternative(quote, 0), catalog)
        rows.append(AffectedQuote(
            label=_label(quote, 0), url=reverse("quotes:detail", args=[quote.pk]),
            price_list=quote.price_list.name,
            before=TotalsPair(quote.one_time_total, quote.monthly_total, quote.contract_value),
            after=after, dropped=dropped, problems=problems,
        ))
    return ImpactGroup(
        title=_("Skickade offerter"),
        explanation=_(
            "Skickade offerter är signerade och ändras inte: kunden kan godkänna dem till de signerade "
            "priserna («före»). Den nya listan gäller först om säljaren gör en ny revision eller förnyar "
            "en utgången offert: «efter» är vad den då kostar."
        ),
        quotes=tuple(rows),
        total=sent.count(),
    )


def price_list_affected(price_list: PriceList) -> list[ImpactGroup]:
    """The open drafts and the sent offers ``price_list`` would reprice once in force."""
    catalog = catalog_for(price_list)
    return [_drafts(price_list, catalog), _sent(price_list, catalog)]
