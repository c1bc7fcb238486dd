"""Price lists as spreadsheets and the diff before publishing (issue 13, parts 1–2), in
Chromium through the admin: export, change the file, upload, read the preview, confirm,
see the new price; a file with errors; the diff page, then publish after the summary.
axe-core's WCAG 2.1 A/AA rules on every page, at 1 280 and 390 px."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from configurator.models import PriceItem, PriceList
from configurator.services import price_list_copy
from tests.factories import QuoteFactory

from .axe import axe_serious, wider_than_viewport

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "admin-pass-123"  # tests.conftest.admin_user's


def admin_sign_in(page):
    page.goto("/admin/login/")
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Prislistor och offerter")).to_be_visible()


def with_price(data: bytes, code: str, column: str, value: str) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    header = rows[0]
    next(r for r in rows if r and r[0] == code)[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@pytest.mark.parametrize("width", [1280, 390])
def test_export_change_upload_preview_confirm(new_page, price_list, admin_user, tmp_path, width):
    draft = price_list_copy(price_list=price_list, name="Prislista höst")
    page = new_page(width=width)
    admin_sign_in(page)
    page.goto(f"/admin/configurator/pricelist/{draft.pk}/change/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera CSV").click()
    exported = download.value.path().read_bytes()
    changed = tmp_path / "höst.csv"
    changed.write_bytes(with_price(exported, "softphone", "Månadsavgift (kr)", "35,50"))

    page.get_by_role("link", name="Importera fil").click()
    expect(page.get_by_role("heading", name="Så ska filen se ut")).to_be_visible()
    expect(page.get_by_text("35,00 och 35.00 är samma belopp")).to_be_visible()
    assert axe_serious(page) == [], "import"
    page.get_by_label("Fil (XLSX eller CSV)").set_input_files(str(changed))
    page.get_by_role("button", name="Granska ändringarna").click()

    expect(page.get_by_role("heading", name="1 artikel ändras")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Månadsavgift")
    expect(row).to_contain_text("29 kr")
    expect(row).to_contain_text("35,50 kr")
    expect(row).to_contain_text("+6,50 kr")
    expect(row).to_contain_text("+22,4 %")
    assert axe_serious(page) == [], "preview"
    assert wider_than_viewport(page) == [], "preview"
    page.screenshot(path=f"/tmp/sheets-preview-{width}.png", full_page=True)
    assert PriceItem.objects.get(price_list=draft, code="softphone").monthly_fee == Decimal("29.00")

    page.get_by_role("button", name="Spara ändringarna").click()
    expect(page.get_by_text("Filen är importerad i Prislista höst (ändrade artiklar och fotnoter: 1).")).to_be_visible()
    expect(page.get_by_label("Månadsavgift – Softphone")).to_have_value("35,50")
    assert PriceItem.objects.get(price_list=draft, code="softphone").monthly_fee == Decimal("35.50")

    # The new state exported and uploaded again: nothing to save.
    page.get_by_role("link", name="Importera fil").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX", exact=True).click()
    again = tmp_path / "igen.xlsx"
    again.write_bytes(download.value.path().read_bytes())
    page.get_by_label("Fil (XLSX eller CSV)").set_input_files(str(again))
    page.get_by_role("button", name="Granska ändringarna").click()
    expect(page.get_by_text("Inga ändringar.")).to_be_visible()
    expect(page.get_by_role("button", name="Spara ändringarna")).to_have_count(0)


def test_a_file_with_errors_shows_each_and_saves_nothing(new_page, price_list, admin_user, tmp_path):
    draft = price_list_copy(price_list=price_list, name="Prislista höst")
    page = new_page()
    admin_sign_in(page)
    page.goto(f"/admin/configurator/pricelist/{draft.pk}/importera/")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    data = with_price(download.value.path().read_bytes(), "softphone", "Månadsavgift (kr)", "-29")
    bad = tmp_path / "fel.csv"
    bad.write_bytes(with_price(data, "teams_voice", "Startavgift (kr)", "1.234,50"))
    page.get_by_label("Fil (XLSX eller CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Granska ändringarna").click()
    expect(page.get_by_text("fel.csv har 2 fel. Ingenting har sparats")).to_be_visible()
    errors = page.locator("#sheet-errors")
    expect(errors.get_by_role("row").filter(has_text="F (Månadsavgift (kr))")).to_contain_text("Priset får inte vara negativt («-29»).")
    expect(errors.get_by_role("row").filter(has_text="E (Startavgift (kr))")).to_contain_text("ett decimaltecken")
    assert axe_serious(page) == [], "errors"
    page.screenshot(path="/tmp/sheets-errors.png", full_page=True)
    assert PriceItem.objects.get(price_list=draft, code="softphone").monthly_fee == Decimal("29.00")


def test_a_list_in_force_refuses_an_import_with_a_message(new_page, price_list, admin_user):
    page = new_page()
    admin_sign_in(page)
    page.goto(f"/admin/configurator/pricelist/{price_list.pk}/change/")
    expect(page.get_by_role("link", name="Importera fil")).to_have_count(0)
    page.goto(f"/admin/configurator/pricelist/{price_list.pk}/importera/")
    expect(page.locator("#import-refused")).to_contain_text("gäller och kan inte ändras")


@pytest.mark.parametrize("width", [1280, 390])
def test_diff_then_publish_with_confirmation(new_page, price_list, admin_user, seller, width):
    QuoteFactory(owner=seller, price_list=price_list, items={"mobile_user": 10, "softphone": 10})
    draft = price_list_copy(price_list=price_list, name="Prislista höst")
    PriceItem.objects.filter(price_list=draft, code="softphone").update(monthly_fee=Decimal("35"))
    note = draft.footnotes.order_by("id").first()
    note.text = "Ny lydelse av villkoret."
    note.save()
    page = new_page(width=width)
    admin_sign_in(page)
    page.goto(f"/admin/configurator/pricelist/{draft.pk}/change/")
    page.get_by_role("link", name="Jämför med…").click()
    expect(page.get_by_label("Jämför med")).to_have_value(str(price_list.pk))
    expect(page.locator("#diff-summary")).to_contain_text("ändrade artiklar: 1, nya artiklar: 0, borttagna artiklar: 0, ändrade fotnoter: 1.")
    expect(page.get_by_role("row").filter(has_text="Månadsavgift")).to_contain_text("+20,7 %")
    expect(page.get_by_text("Ny lydelse av villkoret.")).to_be_visible()
    expect(page.get_by_role("heading", name="Öppna utkast (1)")).to_be_visible()
    # 10 × 89 + 10 × 29 = 1 180 → 10 × 89 + 10 × 35 = 1 240 kr/mån.
    expect(page.get_by_role("row").filter(has_text="Nordisk Logistik AB")).to_contain_text("1 180 kr → 1 240 kr")
    assert axe_serious(page) == [], "compare"
    assert wider_than_viewport(page) == [], "compare"
    page.screenshot(path=f"/tmp/sheets-compare-{width}.png", full_page=True)

    page.get_by_role("link", name="Publicera…").first.click()
    expect(page.get_by_role("heading", name="Bekräfta publiceringen")).to_be_visible()
    expect(page.locator("#diff-summary")).to_contain_text("ändrade artiklar: 1,")
    expect(page.get_by_label("Gäller från")).to_have_value(timezone.localdate().isoformat())
    assert axe_serious(page) == [], "publish"
    assert wider_than_viewport(page) == [], "publish"
    page.screenshot(path=f"/tmp/sheets-publish-{width}.png", full_page=True)
    assert PriceList.objects.get(pk=draft.pk).status == PriceList.Status.DRAFT
    page.get_by_role("button", name="Publicera prislistan").click()
    expect(page.get_by_text("Prislista höst är publicerad och gäller från")).to_be_visible()
    assert PriceList.objects.get(pk=draft.pk).status == PriceList.Status.PUBLISHED
    expect(page.get_by_role("link", name="Publicera…")).to_have_count(0)
