"""The engine and the step forms look codes up in the indexes the catalog builds when it is
loaded; they never walk the whole catalog per request (a price list of 5 000 items prices
like one of 36)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from configurator.pricing import Catalog, CatalogItem, Configuration, TrafficEstimate, price
from quotes.draft.forms import FORMS

from .factories import QuoteFactory

FULL = {
    "mobile_user": 40, "fixed_number": 10, "softphone": 40, "calendar": 40, "teams_voice": 40, "ad": 40,
    "call_recording": 8, "function_number": 5, "number_series_100": 1, "answering_service_10": 1,
    "api_access": 1, "nps_survey": 1, "guided_delivery": 1, "training_half_day": 1,
}


class NoWalking(Mapping):
    """The catalog's items, refusing to be walked (looking a code up is fine)."""

    def __init__(self, items):
        self._items = dict(items)

    def __getitem__(self, code):
        return self._items[code]

    def __contains__(self, code):
        return code in self._items

    def get(self, code, default=None):
        return self._items.get(code, default)

    def __iter__(self):
        raise AssertionError("the whole catalog was walked")

    def __len__(self):
        return len(self._items)


def big(catalog: Catalog, extra: int = 5_000) -> Catalog:
    items = dict(catalog.items)
    for i in range(extra):
        items[f"generated_{i}"] = CatalogItem(
            code=f"generated_{i}", name=f"Tjänst {i}", section="company", billed_to="company",
            monthly=Decimal(i % 500), sort_order=10_000 + i,
        )
    return Catalog(catalog.price_list_id, catalog.name, catalog.valid_from, catalog.vat_rate, items,
                   catalog.footnotes, catalog.term_titles)


def guarded(catalog: Catalog) -> Catalog:
    object.__setattr__(catalog, "items", NoWalking(catalog.items))
    return catalog


def test_pricing_never_walks_the_catalog(catalog):
    config = Configuration(items=FULL, traffic=TrafficEstimate(sms_domestic=800, calls=100, avg_call_seconds=61))
    expected = price(catalog, config)
    result = price(guarded(big(catalog)), config)
    assert result.totals == expected.totals
    assert [line.code for line in result.lines] == [line.code for line in expected.lines]  # price-list order


@pytest.mark.parametrize("step", ["anvandare", "nummer", "integrationer", "leverans", "trafik", "sammanstallning"])
def test_the_step_forms_never_walk_the_catalog(step, catalog, seller):
    quote = QuoteFactory(owner=seller, items=FULL)
    form = FORMS[step]({}, quote=quote, catalog=guarded(big(catalog)))
    form.changes()
    assert form.fields  # labels and choices came from the catalog without walking it


def test_the_offer_document_never_walks_the_catalog(catalog, seller):
    from quotes.offer.document import offer_document

    quote = QuoteFactory(owner=seller, items=FULL)
    document = offer_document(quote, result=price(guarded(big(catalog)), Configuration(items=FULL)))
    assert {t.code for t in document.tariffs} >= {"sms_domestic", "nps_sms_domestic"}
