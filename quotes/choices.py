"""Alternatives and options: the choices an offer leaves to the customer.

The data, on ``Quote``:

- ``alternatives``: ``[]`` for an offer of one configuration; otherwise two or three named
  variants of the same offer (``MAX_ALTERNATIVES``), each a full configuration of items:
  ``[{"name": "Bas", "items": {code: qty}, "manual_prices": {code: {...}}}, …]``. The
  step form edits one of them at a time, number ``alternative_index``: that alternative's
  items and agreed prices ARE the quote's ``items`` and ``manual_prices`` (its copy in the
  list is written back when the seller switches, and never read while it is edited, see
  ``alternatives_of``). Everything else is common to every alternative: the customer,
  the traffic estimate, the contract term, training on site, the quote's discounts.
- ``options``: ``{code: quantity}``, items marked "Tillval" that the customer may add on
  top of whichever alternative they choose.

A ``Choice`` is an alternative (its index) and the options ticked. Its configuration is
the alternative's items plus the ticked options' quantities, with the quote's other
settings. Every total the customer sees is ``price(catalog, configuration)`` of exactly
that: the price list's rules hold (ticking call recording brings its implementation
along, footnote 8), and an option's price is the difference the engine computes between
the alternative with and without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from configurator.api import money_or_none
from configurator.pricing import (
    DELIVERY_OPTIONS,
    IMPLEMENTATIONS,
    USERS,
    Catalog,
    CatalogItem,
    Configuration,
    ManualPrice,
    PriceResult,
    price,
)

from .pricing import _amount, quote_configuration

MAX_ALTERNATIVES = 3
MAX_OPTIONS = 10
MAX_NAME = 40


@dataclass(frozen=True)
class Choice:
    """An alternative (index into the alternatives, 0 when there are none) and the
    options ticked (codes, in the order the offer lists them)."""

    alternative: int = 0
    options: tuple[str, ...] = ()


DEFAULT_CHOICE = Choice()


def has_choices(quote) -> bool:
    """Whether the customer chooses anything (read from any quote-like object: a stand-in
    without the fields has no choices)."""
    return bool(getattr(quote, "alternatives", None)) or bool(getattr(quote, "options", None))


def alternatives_of(quote) -> list[dict[str, Any]]:
    """The quote's alternatives, the one being edited read from ``items`` and
    ``manual_prices`` (its stored copy may be older)."""
    out = []
    for i, alt in enumerate(quote.alternatives or []):
        if i == quote.alternative_index:
            alt = {**alt, "items": dict(quote.items or {}), "manual_prices": dict(quote.manual_prices or {})}
        out.append(alt)
    return out


def options_of(quote) -> dict[str, int]:
    return {code: int(q) for code, q in (quote.options or {}).items() if q}


def option_codes(catalog: Catalog) -> list[CatalogItem]:
    """What a seller may offer as an option: any sellable item except what the engine adds
    by itself (implementations, footnote 4/8) and the delivery options (exactly one,
    rule 6: an alternative, not an add-on)."""
    engine_only = set(IMPLEMENTATIONS) | set(DELIVERY_OPTIONS)
    return [item for item in catalog.sellable() if item.code not in engine_only]


def choice_configuration(
    base: Configuration,
    *,
    alternative: Mapping[str, Any] | None,
    options: Mapping[str, int],
    ticked: tuple[str, ...],
) -> Configuration:
    """``base`` (the quote's common settings) with the alternative's items and agreed
    prices, plus the ticked options' quantities. Pure: no database, no request."""
    items = dict(base.items)
    manual = dict(base.manual_prices)
    if alternative is not None:
        items = {code: int(q) for code, q in (alternative.get("items") or {}).items() if q}
        manual = {
            code: ManualPrice(one_time=_amount(p.get("one_time")), monthly=_amount(p.get("monthly")))
            for code, p in (alternative.get("manual_prices") or {}).items()
        }
    for code in ticked:
        items[code] = items.get(code, 0) + int(options[code])
    return replace(base, items=items, manual_prices=manual)


def quote_choice_configuration(quote, choice: Choice, catalog: Catalog) -> Configuration:
    """The configuration ``choice`` makes of ``quote`` (``ValueError`` for a choice the
    quote does not offer). The quote's discounts apply to whichever choice is made."""
    alternatives = alternatives_of(quote)
    options = options_of(quote)
    choice_check(choice, alternatives=len(alternatives), options=options)
    alternative = alternatives[choice.alternative] if alternatives else None
    return choice_configuration(
        quote_configuration(quote, catalog), alternative=alternative, options=options, ticked=choice.options
    )


def choice_check(choice: Choice, *, alternatives: int, options: Mapping[str, int]) -> None:
    if not 0 <= choice.alternative < max(alternatives, 1):
        raise ValueError(f"no alternative {choice.alternative}")
    unknown = [code for code in choice.options if code not in options]
    if unknown or len(set(choice.options)) != len(choice.options):
        raise ValueError(f"not an option of this offer: {unknown}")


def choice_from(data: Mapping[str, Any], *, alternatives: int, options: Mapping[str, int]) -> Choice:
    """The choice posted (``alternativ``: index, ``tillval``: codes), ``ValueError`` if
    the offer does not have it. Options are kept in the offer's order."""
    raw = data.get("alternativ", "0") or "0"
    try:
        index = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"bad alternative {raw!r}")
    getlist = getattr(data, "getlist", None)
    posted = getlist("tillval") if getlist else data.get("tillval", [])
    unknown = [code for code in posted if code not in options]
    if unknown:
        raise ValueError(f"not an option of this offer: {unknown}")
    choice = Choice(index, tuple(code for code in options if code in posted))
    choice_check(choice, alternatives=alternatives, options=options)
    return choice


def choice_label(choice: Choice, *, alternative_names: list[str], option_names: Mapping[str, str]) -> str:
    """"Alternativ Premium · Tillval: Samtalsinspelning" (for the audit trail)."""
    parts = []
    if alternative_names:
        parts.append(_("Alternativ %(name)s") % {"name": alternative_names[choice.alternative]})
    if option_names:
        ticked = ", ".join(option_names[c] for c in choice.options) or _("inga")
        parts.append(_("Tillval: %(names)s") % {"names": ticked})
    return " · ".join(parts)


# --- Pricing every choice the offer makes ------------------------------------------------


def choice_pricing(quote, choice: Choice, *, catalog: Catalog) -> PriceResult:
    return price(catalog, quote_choice_configuration(quote, choice, catalog))


def choice_sign_problems(quote, *, catalog: Catalog) -> list[str]:
    """Rule errors of the choices the customer may make: each alternative alone, with each
    option, and with every option ticked (the seller fixes them before signing)."""
    alternatives = alternatives_of(quote)
    options = options_of(quote)
    problems: list[str] = []
    if len(alternatives) == 1:
        problems.append(_("Offerten har bara ett alternativ: lägg till ett till eller ta bort det."))
    names = [a.get("name") or "" for a in alternatives]
    if len(set(names)) != len(names):
        problems.append(_("Två alternativ har samma namn: ge dem olika namn."))
    item_names = {code: (catalog.items[code].name if code in catalog.items else code) for code in options}
    seen: set[str] = set()
    for index in range(max(len(alternatives), 1)):
        where = _("Alternativ %(name)s") % {"name": names[index]} if alternatives else ""
        combos = [((), where)]
        for code in options:
            combos.append(((code,), _("%(where)s med tillval %(name)s") % {"where": where, "name": item_names[code]}
                           if where else _("Tillval %(name)s") % {"name": item_names[code]}))
        if len(options) > 1:
            combos.append((tuple(options), _("%(where)s med alla tillval") % {"where": where} if where else _("Alla tillval")))
        for ticked, label in combos:
            if not ticked and index == (quote.alternative_index if alternatives else 0):
                continue  # what the steps edit now: its errors are the ordinary ones
            result = price(catalog, quote_choice_configuration(quote, Choice(index, ticked), catalog))
            for error in result.errors:
                text = f"{label}: {error.message}"
                if text not in seen:
                    seen.add(text)
                    problems.append(text)
            if not ticked and alternatives and not (result.totals.one_time or result.totals.monthly):
                problems.append(_("%(where)s innehåller inga tjänster med pris.") % {"where": label})
    return problems


def catalog_codes_for(quote, catalog: Catalog) -> list[str]:
    """The catalog items any choice of ``quote`` may price: the alternatives' and options'
    items, what the engine adds by itself (implementations, Egen konfiguration), users,
    and the traffic tariffs. In the price list's order."""
    wanted = set(quote.items or {}) | set(options_of(quote)) | {USERS}
    for alt in alternatives_of(quote):
        wanted |= set(alt.get("items") or {})
    wanted |= set(IMPLEMENTATIONS) | set(DELIVERY_OPTIONS) | set(catalog.traffic_codes)
    return [code for code in catalog.items if code in wanted]


def catalog_freeze(catalog: Catalog, codes: list[str]) -> dict[str, Any]:
    """The part of ``catalog`` the offer's choices need, as JSON: the customer's choice is
    priced with the prices the offer was signed with, whatever the price list says later."""
    return {
        "price_list_id": catalog.price_list_id,
        "name": catalog.name,
        "valid_from": catalog.valid_from.isoformat() if catalog.valid_from else None,
        "vat_rate": str(catalog.vat_rate),
        "items": [
            {
                "code": i.code, "name": i.name, "section": i.section, "billed_to": i.billed_to,
                "one_time": money_or_none(i.one_time), "monthly": money_or_none(i.monthly),
                "usage_price": money_or_none(i.usage_price), "free_quota": i.free_quota,
                "price_on_request": i.price_on_request, "footnote": i.footnote, "sort_order": i.sort_order,
            }
            for i in (catalog.items[code] for code in codes)
        ],
        "footnotes": dict(catalog.footnotes),
        "term_titles": dict(catalog.term_titles),
    }


def catalog_thaw(data: dict[str, Any]) -> Catalog:
    from datetime import date

    def dec(value):
        return Decimal(value) if value is not None else None

    return Catalog(
        price_list_id=data["price_list_id"],
        name=data["name"],
        valid_from=date.fromisoformat(data["valid_from"]) if data.get("valid_from") else None,
        vat_rate=Decimal(data["vat_rate"]),
        items={
            i["code"]: CatalogItem(
                code=i["code"], name=i["name"], section=i["section"], billed_to=i["billed_to"],
                one_time=dec(i["one_time"]), monthly=dec(i["monthly"]), usage_price=dec(i["usage_price"]),
                free_quota=i["free_quota"], price_on_request=i["price_on_request"],
                footnote=i["footnote"], sort_order=i["sort_order"],
            )
            for i in data["items"]
        },
        footnotes=data.get("footnotes", {}),
        term_titles=data.get("term_titles", {}),
    )


# --- A signed offer: the customer's choice ----------------------------------------------


def signed_options(snapshot: dict[str, Any]) -> dict[str, int]:
    return {o["code"]: int(o["quantity"]) for o in snapshot["choices"]["options"]}


def signed_choice_from(snapshot: dict[str, Any], data: Mapping[str, Any]) -> Choice:
    """The choice posted against a signed offer (``ValueError`` if it has no such choice)."""
    choices = snapshot.get("choices")
    if not choices:
        return DEFAULT_CHOICE
    return choice_from(data, alternatives=len(choices["alternatives"]), options=signed_options(snapshot))


def signed_choice_pricing(quote, choice: Choice) -> PriceResult:
    """``choice`` of a signed offer priced by the engine with the prices frozen in its
    snapshot (``catalog``) and the quote's frozen settings (term, traffic, discounts)."""
    choices = quote.snapshot["choices"]
    options = signed_options(quote.snapshot)
    alternatives = choices["alternatives"]
    choice_check(choice, alternatives=len(alternatives), options=options)
    catalog = catalog_thaw(choices["catalog"])
    configuration = choice_configuration(
        quote_configuration(quote, catalog),
        alternative=alternatives[choice.alternative] if alternatives else None,
        options=options,
        ticked=choice.options,
    )
    return price(catalog, configuration)


def signed_choice_label(snapshot: dict[str, Any], choice: Choice) -> str:
    choices = snapshot.get("choices") or {}
    return choice_label(
        choice,
        alternative_names=[a["name"] for a in choices.get("alternatives", [])],
        option_names={o["code"]: o["name"] for o in choices.get("options", [])},
    )
