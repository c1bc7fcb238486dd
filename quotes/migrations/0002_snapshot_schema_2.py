"""Signed quotes' snapshots move to schema 2 (quotes.offer.snapshot), their own format,
no longer the pricing API's answer. Every figure, line, term and tariff is carried over
unchanged; only the shape changes. Self-contained: the conversion does not import the
app's code, which may change after this migration."""

from django.db import migrations

LINE_FIELDS = (
    "code", "name", "section", "billed_to", "quantity", "monthly_quantity", "one_time_unit",
    "monthly_unit", "one_time", "monthly", "auto_added", "reason", "manual", "footnote",
)
TOTALS_FIELDS = (
    "one_time", "monthly", "monthly_mobile", "monthly_company", "traffic_monthly", "vat_rate",
    "one_time_vat", "monthly_vat", "one_time_incl_vat", "monthly_incl_vat", "contract_months",
    "contract_value",
)


def snapshot_v1_to_v2(old: dict) -> dict:
    """A version-1 snapshot (the API's answer plus the offer's words) as schema 2."""
    if old.get("schema") == 2:
        return old
    tariffs = [
        {
            "code": t["code"],
            "name": t["name"],
            "unit_price": t.get("unit_price"),
            "free_quota": t.get("free_quota"),
            "footnote": t.get("footnote"),
        }
        for t in old.get("tariffs", [])
    ]
    tariff_note = {t["code"]: t["footnote"] for t in tariffs}
    lines = []
    for l in old["lines"]:
        line = {name: l.get(name) for name in LINE_FIELDS}
        line["monthly_quantity"] = l.get("monthly_quantity", l["quantity"])
        # Version 1 had no section on some lines: user services are billed on the mobiles.
        line["section"] = l.get("section") or ("user" if l["billed_to"] == "mobile" else "company")
        line["auto_added"] = bool(l.get("auto_added"))
        line["manual"] = bool(l.get("manual"))
        lines.append(line)
    price_list = old.get("price_list", {})
    return {
        "schema": 2,
        "signed_at": old.get("signed_at"),
        "contract_months": old.get("contract_months", old["totals"]["contract_months"]),
        "customer_note": old.get("customer_note", ""),
        "on_site_training": bool(old.get("on_site_training", False)),
        "price_list": {
            "id": price_list.get("id"),
            "name": price_list.get("name", ""),
            "valid_from": price_list.get("valid_from"),
            "version": None,  # not recorded by version 1
            "vat_rate": price_list.get("vat_rate", old["totals"]["vat_rate"]),
        },
        "customer": old["customer"],
        "seller": old["seller"],
        "lines": lines,
        "traffic": [
            {
                "code": t["code"],
                "name": t["name"],
                "quantity": t["quantity"],
                "billable_quantity": t.get("billable_quantity", t["quantity"]),
                "unit_price": t["unit_price"],
                "amount": t["amount"],
                "footnote": t.get("footnote", tariff_note.get(t["code"])),
            }
            for t in old.get("traffic", [])
        ],
        "totals": {name: old["totals"][name] for name in TOTALS_FIELDS},
        "terms": [
            {"ref": t["ref"], "title": t.get("title", ""), "text": t["text"]} for t in old.get("terms", [])
        ],
        "tariffs": tariffs,
    }


def forwards(apps, schema_editor):
    Quote = apps.get_model("quotes", "Quote")
    for quote in Quote.objects.filter(snapshot__isnull=False).only("pk", "snapshot").iterator():
        if quote.snapshot and quote.snapshot.get("schema") != 2:
            # .update(): below the frozen-quote guard, which refuses any save of a signed quote.
            Quote.objects.filter(pk=quote.pk).update(snapshot=snapshot_v1_to_v2(quote.snapshot))


class Migration(migrations.Migration):
    dependencies = [("quotes", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
