"""A quote's JSON (create, PATCH) → the draft's model values, by the step form's rules.

Two layers, both shared with the rest of the app:

1. The configuration is read by the pricing endpoint's reader
   (``configurator.api.parse_configuration``: JSON types, item codes, the limits of
   ``configurator.limits``), so a configuration the API prices is one it stores.
2. Everything is then posted, as the step form would post it, to the step forms
   (``quotes.draft.forms``): org.nr, phone and e-mail are checked and written the way the
   form writes them, an item is set on the step where the seller sets it, the Svarsservice
   package and the delivery are one choice each, an agreed price belongs to a package
   priced on request, and contract term, validity and the note to the customer follow the
   summary step's rules. The forms' ``changes()`` are the values saved.

Alternatives and options (``quotes.choices``) are two more top-level keys, as the summary
step sets them: ``alternatives`` replaces the offer's alternatives (two or three, each a
name and its items and agreed prices, read exactly as ``configuration`` is and posted to
the same step forms; ``[]``: none), and the draft then edits the first of them;
``options`` replaces the options ("Tillval", ``{code: quantity}``; ``{}``: none).

Any error refuses the whole request (400, every bad field named); nothing is saved.
Field names in errors are paths into the request: ``customer.org_number``,
``configuration.items.mobile_user``, ``alternatives.1.items.call_recording``,
``validity_days``.
"""

from __future__ import annotations

from typing import Any

from configurator.api import BadRequest, discounts_over_lines, money_or_none, parse_configuration
from configurator.api_v1 import ApiError, field_error
from configurator.limits import MAX_QUANTITY
from configurator.pricing import (
    ANSWERING_SERVICE_PREFIX,
    API_ACCESS,
    DELIVERY_OPTIONS,
    NPS_SURVEY,
    TRAFFIC_FIELDS,
    Catalog,
    Configuration,
    price,
)

from ..choices import MAX_ALTERNATIVES, MAX_NAME, MAX_OPTIONS, option_codes
from ..draft.forms import CustomerForm, DeliveryForm, IntegrationsForm, NumbersForm, SummaryForm, TrafficForm, UsersForm
from ..models import Quote
from ..pricing import quote_configuration, quote_preview

# The request's customer fields -> the quote's.
CUSTOMER_FIELDS = {
    "company_name": "company_name",
    "org_number": "org_number",
    "contact_name": "contact_name",
    "contact_email": "contact_email",
    "contact_phone": "contact_phone",
    "address": "customer_address",
}
TOP_LEVEL = ("customer", "configuration", "alternatives", "options", "validity_days", "customer_note")
ALTERNATIVE_FIELDS = ("name", "items", "manual_prices")
CHOICES = {API_ACCESS, NPS_SURVEY}  # a tick in the step form: 0 or 1
QUANTITY_FORMS = (UsersForm, NumbersForm, IntegrationsForm, DeliveryForm)
CONFIGURATION_FORMS = (*QUANTITY_FORMS, TrafficForm)


def _error(field: str, code: str, message: str) -> dict[str, str]:
    return field_error(field, code, message)


def configuration_json(quote: Quote) -> dict[str, Any]:
    """The quote's stored configuration in the API's form (the pricing request's)."""
    data = {
        "items": dict(quote.items or {}),
        "manual_prices": {code: dict(p) for code, p in (quote.manual_prices or {}).items()},
        "traffic": {k: v for k, v in (quote.traffic or {}).items() if k in TRAFFIC_FIELDS},
        "contract_months": quote.contract_months,
        "on_site_training": quote.on_site_training,
        "travel_cost": money_or_none(quote.travel_cost),
    }
    data["discounts"] = quote.discounts or {}
    return data


def customer_json(quote: Quote) -> dict[str, str]:
    return {name: getattr(quote, field) for name, field in CUSTOMER_FIELDS.items()}


def quote_changes(data: Any, *, quote: Quote, catalog: Catalog) -> dict[str, Any]:
    """The model values that ``data`` (a create or PATCH body) sets on the draft
    ``quote`` (as stored now; unsaved for a create). Keys ``data`` leaves out keep
    their stored values; inside ``configuration`` each key given replaces the stored one
    (``items`` is the whole set of items). Raises ``ApiError`` (400) naming every bad
    field."""
    if not isinstance(data, dict):
        raise ApiError.one(400, "body", "wrong_type", "Ska vara ett JSON-objekt.")
    errors: list[dict[str, str]] = []
    for key in sorted(set(data) - set(TOP_LEVEL)):
        errors.append(_error(key, "unknown_field", "Okänt fält."))

    customer = _customer(data, errors)
    config, given = _configuration(data, quote=quote, catalog=catalog, errors=errors)
    summary = _summary(data, errors)

    # Every part that was read goes to its step forms, so that all bad fields are named.
    changes: dict[str, Any] = {}
    preview = quote
    if customer:
        posted = {name: customer.get(name, getattr(quote, CUSTOMER_FIELDS[name])) for name in CUSTOMER_FIELDS}
        form_data = {CUSTOMER_FIELDS[name]: value for name, value in posted.items()}
        preview = _run(CustomerForm, form_data, preview, catalog, changes, errors, _customer_field,
                       keep={CUSTOMER_FIELDS[name] for name in customer})
    if config is not None:
        for form_class in CONFIGURATION_FORMS:
            preview = _run(form_class, _config_form_data(form_class, config, catalog), preview, catalog,
                           changes, errors, _config_field(config))
        if "discounts" in given:  # stored exactly as the API's object (spec "Discounts")
            changes["discounts"] = data["configuration"]["discounts"] or {}
            preview = quote_preview(preview, {"discounts": changes["discounts"]})
    if "alternatives" in data:
        if config is not None and given & {"items", "manual_prices"} and data["alternatives"]:
            errors.append(_error(
                "configuration.items", "with_alternatives",
                "Ange artiklarna i alternatives när alternativen ges i samma anrop.",
            ))
        else:
            preview = _alternatives(data["alternatives"], preview, catalog, changes, errors)
    if "options" in data:
        options = _options(data["options"], catalog, errors)
        if options is not None:
            changes["options"] = options
            preview = quote_preview(preview, {"options": options})
    if summary or (config is not None and "contract_months" in given):
        form_data = {
            "contract_months": str(config.contract_months if config is not None else preview.contract_months),
            "validity_days": str(summary.get("validity_days", preview.validity_days)),
            "customer_note": summary.get("customer_note", preview.customer_note),
        }
        keep = {*summary, *(["contract_months"] if config is not None and "contract_months" in given else [])}
        preview = _run(SummaryForm, form_data, preview, catalog, changes, errors, _summary_field, keep=keep)
    if not errors and config is not None and config.discounts.lines:
        # A discount larger than its line is a 400 naming the field, as in the pricing API.
        priced = quote_configuration(preview, catalog)
        errors.extend(
            _error(f"configuration.{e['field']}", e["code"], e["message"])
            for e in discounts_over_lines(priced, price(catalog, priced))
        )
    if errors:
        raise ApiError(400, errors)
    return changes


# --- Reading the JSON --------------------------------------------------------------------


def _customer(data: dict, errors: list) -> dict[str, str]:
    if "customer" not in data:
        return {}
    raw = data["customer"]
    if not isinstance(raw, dict):
        errors.append(_error("customer", "wrong_type", "Ska vara ett objekt."))
        return {}
    out = {}
    for key, value in raw.items():
        field = f"customer.{key}"
        if key not in CUSTOMER_FIELDS:
            errors.append(_error(field, "unknown_field", "Okänt fält."))
        elif value is not None and not _text(value):
            errors.append(_error(field, "wrong_type", "Ska vara en text."))
        else:
            out[key] = value or ""
    return out


def _text(value) -> bool:
    """A string that UTF-8 can carry (JSON allows lone surrogates, "\ud800"; a database
    does not)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _summary(data: dict, errors: list) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "validity_days" in data:
        days = data["validity_days"]
        if isinstance(days, bool) or not isinstance(days, int):
            errors.append(_error("validity_days", "wrong_type", "Ska vara ett heltal (dagar)."))
        else:
            out["validity_days"] = days
    if "customer_note" in data:
        note = data["customer_note"]
        if note is not None and not _text(note):
            errors.append(_error("customer_note", "wrong_type", "Ska vara en text."))
        else:
            out["customer_note"] = note or ""
    return out


def _configuration(data: dict, *, quote: Quote, catalog: Catalog, errors: list) -> tuple[Configuration | None, set]:
    """The configuration the request asks for (the stored one with the keys given
    replaced), read by the pricing endpoint's reader; then the step form's choices."""
    if "configuration" not in data:
        return None, set()
    raw = data["configuration"]
    if not isinstance(raw, dict):
        errors.append(_error("configuration", "wrong_type", "Ska vara ett objekt."))
        return None, set()
    merged = {**configuration_json(quote), **raw}
    if "manual_prices" not in raw:  # the stored agreed price goes with its package, as in the step form
        chosen = merged["items"] if isinstance(merged["items"], dict) else {}
        merged["manual_prices"] = {c: p for c, p in merged["manual_prices"].items() if chosen.get(c)}
    try:
        config = parse_configuration(merged, catalog)
    except BadRequest as bad:
        errors.extend(_error(f"configuration.{e['field']}", e["code"], e["message"]) for e in bad.errors)
        return None, set(raw)
    return (config if _choices(config, catalog, errors) else None), set(raw)


def _choices(config: Configuration, catalog: Catalog, errors: list, *, prefix: str = "configuration") -> bool:
    """What the step form's widgets allow: each item on its step (implementations are
    added by the price list's rules), one Svarsservice package and one delivery, ticks
    for API access and the NPS survey, an agreed price only for the chosen package priced
    on request."""
    before = len(errors)
    items = config.items
    editable = _editable_codes(catalog)
    for code, qty in items.items():
        field = f"{prefix}.items.{code}"
        if code not in editable:
            errors.append(_error(field, "automatic", "Läggs till automatiskt när tilläggen kräver det (fotnot 4); ange tilläggen i stället."))
        elif (code in CHOICES or code in DELIVERY_OPTIONS or code.startswith(ANSWERING_SERVICE_PREFIX)) and qty > 1:
            errors.append(_error(field, "one_at_most", "Väljs eller väljs inte: antal 0 eller 1."))
    packages = [c for c, q in items.items() if q and c.startswith(ANSWERING_SERVICE_PREFIX)]
    if len(packages) > 1:
        errors.append(_error(f"{prefix}.items", "one_package", "Välj högst ett Svarsservice-paket."))
    deliveries = [c for c, q in items.items() if q and c in DELIVERY_OPTIONS]
    if len(deliveries) > 1:
        errors.append(_error(f"{prefix}.items", "one_delivery", "Välj ett leveranssätt: egen konfiguration, uppstartshjälp eller vägledd leverans."))
    for code, agreed in config.manual_prices.items():
        item = catalog.items[code]
        if code not in packages or not item.needs_agreed_price or agreed.one_time is not None:
            errors.append(_error(
                f"{prefix}.manual_prices.{code}", "no_agreed_price",
                "Ett överenskommet pris anges bara som månadspris för det valda Svarsservice-paketet med pris på förfrågan.",
            ))
    return len(errors) == before


def _editable_codes(catalog: Catalog) -> set[str]:
    codes = set(CHOICES) | set(DELIVERY_OPTIONS)
    for form_class in QUANTITY_FORMS:
        codes |= set(form_class.item_fields)
    codes |= {c for c in catalog.items if c.startswith(ANSWERING_SERVICE_PREFIX)}
    return codes & set(catalog.codes_sellable)


def _alternatives(raw: Any, preview: Quote, catalog: Catalog, changes: dict, errors: list) -> Quote:
    """The alternatives ``raw`` asks for, each read and posted to the step forms as a
    configuration's items are (the other settings are the quote's, common to every
    alternative); the draft then edits the first, as after "Lägg till alternativ"."""
    if not isinstance(raw, list):
        errors.append(_error("alternatives", "wrong_type", "Ska vara en lista (tom: inga alternativ)."))
        return preview
    if len(raw) == 1 or len(raw) > MAX_ALTERNATIVES:
        errors.append(_error(
            "alternatives", "count",
            f"Ange två eller tre alternativ (högst {MAX_ALTERNATIVES}), eller en tom lista för inga alternativ.",
        ))
        return preview
    before = len(errors)
    stored: list[dict[str, Any]] = []
    names: list[str] = []
    for index, alt in enumerate(raw):
        where = f"alternatives.{index}"
        if not isinstance(alt, dict):
            errors.append(_error(where, "wrong_type", "Ska vara ett objekt med name, items och manual_prices."))
            continue
        for key in sorted(set(alt) - set(ALTERNATIVE_FIELDS)):
            errors.append(_error(f"{where}.{key}", "unknown_field", "Okänt fält."))
        name = alt.get("name")
        name = name.strip() if _text(name) else None
        if not name or len(name) > MAX_NAME:
            errors.append(_error(f"{where}.name", "invalid", f"Ge alternativet ett namn, högst {MAX_NAME} tecken."))
        elif name.casefold() in (n.casefold() for n in names):
            errors.append(_error(f"{where}.name", "duplicate", f"Ett annat alternativ heter redan «{name}»."))
        names.append(name or "")
        if "items" not in alt:
            errors.append(_error(f"{where}.items", "required", "Alternativets artiklar saknas."))
            continue
        own = {"items": alt["items"], "manual_prices": alt.get("manual_prices") or {}}
        try:
            config = parse_configuration({**configuration_json(preview), **own}, catalog)
        except BadRequest as bad:  # every error named: an alternative is never dropped silently
            errors.extend(_error(_alternative_field(where, e["field"]), e["code"], e["message"]) for e in bad.errors)
            continue
        if _choices(config, catalog, errors, prefix=where) is False:
            continue
        posted: dict[str, Any] = {}
        alt_preview = quote_preview(preview, {"items": {}, "manual_prices": {}})
        for form_class in QUANTITY_FORMS:
            alt_preview = _run(form_class, _config_form_data(form_class, config, catalog), alt_preview, catalog,
                               posted, errors, _config_field(config, prefix=where))
        stored.append({"name": name, "items": alt_preview.items, "manual_prices": alt_preview.manual_prices})
    if len(errors) != before:
        return preview
    first = stored[0] if stored else {"items": preview.items, "manual_prices": preview.manual_prices}
    values = {"alternatives": stored, "alternative_index": 0,
              "items": dict(first["items"]), "manual_prices": dict(first["manual_prices"])}
    changes.update(values)
    return quote_preview(preview, values)


def _alternative_field(where: str, field: str) -> str:
    """An alternative's own fields are named under it; the rest are the quote's (common)."""
    return f"{where}.{field}" if field.startswith(("items", "manual_prices")) else f"configuration.{field}"


def _options(raw: Any, catalog: Catalog, errors: list) -> dict[str, int] | None:
    """The options ("Tillval") ``raw`` asks for: what the summary step offers as options
    (not an implementation nor a delivery), at most ``MAX_OPTIONS``."""
    if not isinstance(raw, dict):
        errors.append(_error("options", "wrong_type", "Ska vara ett objekt {artikelkod: antal} (tomt: inga tillval)."))
        return None
    before = len(errors)
    offered = {item.code for item in option_codes(catalog)}
    if len(raw) > MAX_OPTIONS:
        errors.append(_error("options", "count", f"Högst {MAX_OPTIONS} tillval."))
    options: dict[str, int] = {}
    for code, qty in raw.items():
        field = f"options.{code}"
        if code not in catalog.items:
            errors.append(_error(field, "unknown_item", "Okänd artikelkod."))
        elif code not in offered:
            errors.append(_error(field, "not_an_option", "Kan inte vara tillval: läggs till automatiskt eller är ett leveranssätt."))
        elif isinstance(qty, bool) or not isinstance(qty, int):
            errors.append(_error(field, "wrong_type", "Ska vara ett heltal."))
        elif not 1 <= qty <= MAX_QUANTITY:
            errors.append(_error(field, "out_of_range", f"Antal från 1 till {MAX_QUANTITY}."))
        else:
            options[code] = qty
    return options if len(errors) == before else None


# --- Posting to the step forms ------------------------------------------------------------


def _config_form_data(form_class, config: Configuration, catalog: Catalog) -> dict[str, str]:
    """What the step's page would post for ``config``."""
    items = config.items
    data = {code: str(items.get(code, 0)) for code in form_class.item_fields}
    if form_class is NumbersForm:
        package = next((c for c, q in items.items() if q and c.startswith(ANSWERING_SERVICE_PREFIX)), "")
        agreed = config.manual_prices.get(package)
        data["answering_service"] = package
        data["answering_service_price"] = f"{agreed.monthly:.2f}" if agreed and agreed.monthly is not None else ""
    elif form_class is IntegrationsForm:
        data.update({code: "on" for code in CHOICES if items.get(code)})
    elif form_class is DeliveryForm:
        data["delivery"] = next((c for c in DELIVERY_OPTIONS if items.get(c)), "")
        if config.on_site_training:
            data["on_site_training"] = "on"
        data["travel_cost"] = f"{config.travel_cost:.2f}" if config.travel_cost is not None else ""
    elif form_class is TrafficForm:
        traffic = config.traffic
        data = {name: str(getattr(traffic, name, 0) if traffic else 0) for name in TrafficForm.FIELDS}
    return data


def _run(form_class, form_data, preview: Quote, catalog, changes: dict, errors: list, name_of,
         keep: set[str] | None = None) -> Quote:
    """Post ``form_data`` to a step form over ``preview`` (the draft with the changes so
    far); collect its changes (only those in ``keep`` when given: the fields the request
    names) and its errors (named by ``name_of``). The next form sees this one's changes."""
    form = form_class(form_data, quote=preview, catalog=catalog)
    step_changes = form.changes()
    if keep is not None:
        step_changes = {name: value for name, value in step_changes.items() if name in keep}
    for name, problems in form.errors.as_data().items():
        for problem in problems:
            code = problem.code or "invalid"
            errors.append(_error(name_of(name), code, " ".join(str(m) for m in problem.messages)))
    changes.update(step_changes)
    return quote_preview(preview, step_changes)


def _customer_field(name: str) -> str:
    api = {field: key for key, field in CUSTOMER_FIELDS.items()}
    return f"customer.{api.get(name, name)}"


def _summary_field(name: str) -> str:
    return f"configuration.{name}" if name == "contract_months" else name


def _config_field(config: Configuration, *, prefix: str = "configuration"):
    def name_of(name: str) -> str:
        if name in ("answering_service", "delivery"):
            return f"{prefix}.items"
        if name == "answering_service_price":
            package = next((c for c, q in config.items.items() if q and c.startswith(ANSWERING_SERVICE_PREFIX)), "")
            return f"{prefix}.manual_prices.{package}.monthly"
        if name in ("on_site_training", "travel_cost"):
            return f"configuration.{name}"  # common to every alternative
        if name in TRAFFIC_FIELDS:
            return f"configuration.traffic.{name}"
        return f"{prefix}.items.{name}"

    return name_of
