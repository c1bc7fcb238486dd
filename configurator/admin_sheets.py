"""The price list's pages in the admin beyond Django's own: export as XLSX/CSV, import a
file into a draft (upload → preview of every change → confirm), compare two versions, and
publish a draft after seeing what changes and which quotes it affects.

Each function takes the ``PriceListAdmin`` and returns its view (``get_urls`` wraps it in
``admin_view``: staff only). Reading needs the view permission, writing the change
permission; a list in force or published is refused with a message, never a 403.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .diff import ListDiff, price_list_impact, price_lists_diff, list_diff, rows_of
from .models import PriceList
from .selectors import price_list_in_force
from .services import (
    PriceListNotChangeable,
    price_list_import,
    price_list_import_refusal,
    price_list_publish,
)
from .sheets import sheet_check, sheet_csv, sheet_from_token, sheet_read, sheet_token, sheet_xlsx, MAX_BYTES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _price_list(model_admin, request, pk: int, *, change: bool) -> PriceList:
    price_list = get_object_or_404(PriceList, pk=pk)
    opts = PriceList._meta
    if not model_admin.has_view_permission(request, price_list):
        raise PermissionDenied
    if change and not request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        raise PermissionDenied
    return price_list


def _context(model_admin, request, price_list: PriceList, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": PriceList._meta,
        "original": price_list,
        "price_list": price_list,
        "title": title,
        "has_view_permission": True,
        **extra,
    }


def _change_url(price_list: PriceList) -> str:
    return reverse("admin:configurator_pricelist_change", args=[price_list.pk])


def _filename(price_list: PriceList, ext: str) -> str:
    return f"{slugify(price_list.name) or 'prislista'}-v{price_list.version}.{ext}"


# --- Export -----------------------------------------------------------------------------


def export_xlsx(model_admin):
    @require_GET
    def view(request, pk: int):
        price_list = _price_list(model_admin, request, pk, change=False)
        response = HttpResponse(sheet_xlsx(*rows_of(price_list)), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{_filename(price_list, "xlsx")}"'
        return response

    return view


def export_csv(model_admin):
    @require_GET
    def view(request, pk: int):
        price_list = _price_list(model_admin, request, pk, change=False)
        response = HttpResponse(sheet_csv(*rows_of(price_list)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename(price_list, "csv")}"'
        return response

    return view


# --- Import -----------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fil (XLSX eller CSV)"),
        help_text=gettext_lazy("Exportera prislistan, ändra i filen och ladda upp den här."),
    )


def _import_page(model_admin, request, price_list, **extra):
    return TemplateResponse(
        request, "admin/configurator/pricelist/import.html",
        _context(
            model_admin, request, price_list, _("Importera fil till %(name)s") % {"name": price_list.name},
            xlsx=reverse("admin:configurator_pricelist_export_xlsx", args=[price_list.pk]),
            csv=reverse("admin:configurator_pricelist_export_csv", args=[price_list.pk]),
            **extra,
        ),
    )


def import_file(model_admin):
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        price_list = _price_list(model_admin, request, pk, change=True)
        refusal = price_list_import_refusal(price_list)
        if refusal:
            return _import_page(model_admin, request, price_list, refusal=refusal)
        if request.method == "GET":
            return _import_page(model_admin, request, price_list, form=ImportForm())
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _import_page(model_admin, request, price_list, form=form)
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_BYTES + 1)
        sheet, errors = sheet_read(data, upload.name)
        items, notes = rows_of(price_list)
        if sheet is not None:
            errors = sheet_check(sheet, items=items, footnotes=notes)
        if errors:
            return _import_page(model_admin, request, price_list, form=ImportForm(), errors=errors,
                                filename=upload.name)
        diff = list_diff(items, notes, sheet.items, sheet.footnotes)
        return TemplateResponse(
            request, "admin/configurator/pricelist/import_preview.html",
            _context(
                model_admin, request, price_list,
                _("Förhandsvisning: %(file)s till %(name)s") % {"file": upload.name, "name": price_list.name},
                diff=diff, filename=upload.name, ignored=sheet.ignored_columns,
                token=sheet_token(price_list=price_list, sheet=sheet) if not diff.is_empty else "",
            ),
        )

    return view


def import_confirm(model_admin):
    @require_POST
    def view(request, pk: int):
        price_list = _price_list(model_admin, request, pk, change=True)
        back = reverse("admin:configurator_pricelist_import", args=[price_list.pk])
        try:
            list_id, version, sheet = sheet_from_token(request.POST.get("token", ""))
        except signing.SignatureExpired:
            messages.error(request, _("Förhandsvisningen är äldre än en timme: ladda upp filen igen."))
            return HttpResponseRedirect(back)
        except signing.BadSignature:
            messages.error(request, _("Förhandsvisningen kunde inte läsas: ladda upp filen igen."))
            return HttpResponseRedirect(back)
        if list_id != price_list.pk:
            messages.error(request, _("Förhandsvisningen gäller en annan prislista: ladda upp filen igen."))
            return HttpResponseRedirect(back)
        try:
            changed = price_list_import(
                price_list=price_list, items=sheet.items, footnotes=sheet.footnotes,
                expected_version=version, user=request.user,
            )
        except PriceListNotChangeable as e:
            messages.error(request, str(e))
            return HttpResponseRedirect(back)
        messages.success(
            request,
            _("Filen är importerad i %(name)s (ändrade artiklar och fotnoter: %(n)s).") % {"n": changed, "name": price_list.name},
        )
        return HttpResponseRedirect(_change_url(price_list))

    return view


# --- Compare and publish ----------------------------------------------------------------


def _default_base(price_list: PriceList) -> PriceList | None:
    """What a list is compared with unless the admin chooses: the list in force, or for
    that list the one it was copied from."""
    in_force = price_list_in_force()
    if in_force is not None and in_force.pk != price_list.pk:
        return in_force
    return price_list.copied_from


def _not_yet_in_force(price_list: PriceList) -> bool:
    return price_list.status == PriceList.Status.DRAFT or (
        price_list.valid_from is not None and price_list.valid_from > timezone.localdate()
    )


def _summary(diff: ListDiff) -> str:
    return _(
        "ändrade artiklar: %(changed)s, nya artiklar: %(added)s, borttagna artiklar: %(removed)s, ändrade fotnoter: %(notes)s."
    ) % {
        "changed": len(diff.changed), "added": len(diff.added), "removed": len(diff.removed),
        "notes": len(diff.footnotes),
    }


def compare(model_admin):
    @require_GET
    def view(request, pk: int):
        price_list = _price_list(model_admin, request, pk, change=False)
        others = list(PriceList.objects.exclude(pk=price_list.pk).order_by("-valid_from", "-id"))
        chosen = request.GET.get("med")
        if chosen:
            base = next((p for p in others if str(p.pk) == chosen), None)
        else:
            base = _default_base(price_list) or (others[0] if others else None)
        diff = price_lists_diff(base, price_list) if base else None
        impact = price_list_impact(price_list) if _not_yet_in_force(price_list) else []
        return TemplateResponse(
            request, "admin/configurator/pricelist/compare.html",
            _context(
                model_admin, request, price_list, _("Jämför %(name)s") % {"name": price_list.name},
                base=base, others=others, diff=diff, impact=impact,
                summary=_summary(diff) if diff else "",
                unknown_choice=bool(chosen) and base is None,
            ),
        )

    return view


class PublishForm(forms.Form):
    valid_from = forms.DateField(
        label=gettext_lazy("Gäller från"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("Från och med detta datum prissätts nya offerter med listan."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_valid_from(self):
        value: date = self.cleaned_data["valid_from"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("Datumet har redan passerat: välj i dag eller ett senare datum."))
        return value


def publish(model_admin):
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        price_list = _price_list(model_admin, request, pk, change=True)
        if price_list.status != PriceList.Status.DRAFT:
            messages.error(request, _("Prislistan %(name)s är redan publicerad.") % {"name": price_list.name})
            return HttpResponseRedirect(_change_url(price_list))
        if request.method == "POST":
            form = PublishForm(request.POST)
            if form.is_valid():
                try:
                    published = price_list_publish(
                        price_list=price_list, valid_from=form.cleaned_data["valid_from"],
                        expected_version=form.cleaned_data["version"],
                    )
                except PriceListNotChangeable as e:
                    messages.error(request, str(e))
                    return HttpResponseRedirect(request.path)
                messages.success(
                    request,
                    _("%(name)s är publicerad och gäller från %(date)s.")
                    % {"name": published.name, "date": formats.date_format(published.valid_from, "j F Y")},
                )
                return HttpResponseRedirect(_change_url(published))
        else:
            form = PublishForm(initial={
                "valid_from": max(price_list.valid_from or timezone.localdate(), timezone.localdate()),
                "version": price_list.version,
            })
        base = price_list_in_force()
        diff = price_lists_diff(base, price_list) if base else None
        return TemplateResponse(
            request, "admin/configurator/pricelist/publish.html",
            _context(
                model_admin, request, price_list, _("Publicera %(name)s") % {"name": price_list.name},
                form=form, base=base, diff=diff, impact=price_list_impact(price_list),
                summary=_summary(diff) if diff else "",
            ),
        )

    return view
