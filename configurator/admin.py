from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import admin_sheets
from .models import ApiToken, Footnote, PriceItem, PriceList, SellerProfile
from .phone import phone_clean
from .services import price_list_copy

admin.site.site_header = _("Smart Connect – administration")
admin.site.site_title = _("Smart Connect")
admin.site.index_title = _("Prislistor och offerter")

PRICE_FIELDS = ("one_time_fee", "monthly_fee", "usage_price", "free_quota", "price_on_request", "active", "name")


class LockedWhenInForce:
    """A published list already in force is not edited in place: copy it instead."""

    def _locked(self, obj) -> bool:
        price_list = obj if isinstance(obj, PriceList) else getattr(obj, "price_list", None)
        return bool(price_list and price_list.is_locked)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)



class InlineLockedWhenInForce(LockedWhenInForce):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._locked(obj)


class LocalizedDecimals:
    """Amounts as a Swede types and reads them: "35,00", not "35.00"."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):
            kwargs["localize"] = True
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class LabelledRows(BaseInlineFormSet):
    """A table of items has no label per cell: each control is named by its column and
    its row ("Månadsavgift – Softphone"), for screen readers and voice control."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk:
            row = form.instance.name or form.instance.code
        elif index is not None:
            row = gettext("ny rad %(n)s") % {"n": index + 1}
        else:
            row = gettext("ny rad")
        for field in form.fields.values():
            label = field.label or gettext("Ta bort")
            widget = getattr(field.widget, "widget", field.widget)  # inside a related-object wrapper
            widget.attrs = {**widget.attrs, "aria-label": f"{capfirst(label)} – {row}"}


class PriceItemInline(LocalizedDecimals, InlineLockedWhenInForce, admin.TabularInline):
    model = PriceItem
    formset = LabelledRows
    template = "admin/configurator/priceitem_tabular.html"
    extra = 0
    fields = (
        "sort_order", "code", "name", "section", "billed_to", "one_time_fee", "monthly_fee",
        "usage_price", "free_quota", "price_on_request", "footnote", "active",
    )
    ordering = ("sort_order", "id")

    def get_readonly_fields(self, request, obj=None):
        # Codes are stable identifiers once a list exists.
        return ("code",) if obj and obj.pk else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "footnote":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Footnote.objects.filter(price_list_id=object_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # A list in force shows its rows read-only: each row's footnote comes with it.
        return super().get_queryset(request).select_related("footnote")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        footnote = formset.form.base_fields.get("footnote")
        if footnote is not None:
            # The footnotes are read once for every row, not once per row (was 1 query a row).
            footnote.choices = list(footnote.choices)
        return formset


class FootnoteInline(InlineLockedWhenInForce, admin.StackedInline):
    model = Footnote
    extra = 0
    fields = ("ref", "term_title", "text")


@admin.register(PriceList)
class PriceListAdmin(LocalizedDecimals, LockedWhenInForce, SimpleHistoryAdmin):
    list_display = ("name", "status", "valid_from", "in_force", "vat_rate", "published_at")
    list_filter = ("status",)
    inlines = [PriceItemInline, FootnoteInline]
    actions = ["copy_to_draft"]
    readonly_fields = ("published_at", "copied_from", "items_editor", "price_changes")
    fields = ("name", "status", "valid_from", "vat_rate", "copied_from", "published_at", "items_editor", "price_changes")

    # A list of Telia's size (36 items) is edited in place; a longer one in the searchable,
    # paginated item list (or as a spreadsheet): hundreds of inline rows made a page of
    # megabytes that took seconds.
    INLINE_ITEMS_LIMIT = 60

    change_form_template = "admin/configurator/pricelist/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/exportera.xlsx", view(admin_sheets.export_xlsx(self)), name="configurator_pricelist_export_xlsx"),
            path("<int:pk>/exportera.csv", view(admin_sheets.export_csv(self)), name="configurator_pricelist_export_csv"),
            path("<int:pk>/importera/", view(admin_sheets.import_file(self)), name="configurator_pricelist_import"),
            path("<int:pk>/importera/bekrafta/", view(admin_sheets.import_confirm(self)), name="configurator_pricelist_import_confirm"),
            path("<int:pk>/jamfor/", view(admin_sheets.compare(self)), name="configurator_pricelist_compare"),
            path("<int:pk>/publicera/", view(admin_sheets.publish(self)), name="configurator_pricelist_publish"),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        # A draft is published on its own page, which shows what changes and whom it
        # affects first (admin_sheets.publish); a new list starts as a draft.
        if obj is None or obj.status == PriceList.Status.DRAFT:
            return (*self.readonly_fields, "status")
        return self.readonly_fields

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and self._item_count(obj) > self.INLINE_ITEMS_LIMIT:
            inlines = [i for i in inlines if not isinstance(i, PriceItemInline)]
        return inlines

    def _item_count(self, obj) -> int:
        if not hasattr(obj, "_item_count"):
            obj._item_count = obj.items.count()
        return obj._item_count

    @admin.display(description=_("artiklar"))
    def items_editor(self, obj):
        if not obj or not obj.pk:
            return "–"
        url = reverse("admin:configurator_priceitem_changelist") + f"?price_list__id__exact={obj.pk}"
        count = self._item_count(obj)
        if count > self.INLINE_ITEMS_LIMIT:
            text = _("%(n)s artiklar: sök och redigera dem i artikellistan (50 per sida)") % {"n": count}
        else:
            text = _("%(n)s artiklar, nedan; sökbara också i artikellistan") % {"n": count}
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(boolean=True, description=_("gäller nu"))
    def in_force(self, obj):
        return PriceList.objects.in_force() == obj

    @admin.action(description=_("Kopiera till nytt utkast"))
    def copy_to_draft(self, request, queryset):
        for price_list in queryset:
            copy = price_list_copy(price_list=price_list)
            self.message_user(
                request, _("Kopierade %(name)s till utkastet %(copy)s.") % {"name": price_list.name, "copy": copy.name},
                messages.SUCCESS,
            )

    def save_model(self, request, obj, form, change):
        if obj.status == PriceList.Status.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("prisändringar"))
    def price_changes(self, obj):
        """Who changed which price when, old and new, for every item of this list."""
        if not obj or not obj.pk:
            return "–"
        rows = []
        records = (
            PriceItem.history.filter(price_list_id=obj.pk)
            .select_related("history_user")
            .order_by("code", "history_date")
        )
        previous = {}
        for record in records:
            before = previous.get(record.id)
            previous[record.id] = record
            if before is None:
                continue
            for change in record.diff_against(before).changes:
                if change.field not in PRICE_FIELDS:
                    continue
                rows.append(
                    (
                        timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M"),
                        record.history_user or "–",
                        record.code,
                        PriceItem._meta.get_field(change.field).verbose_name,
                        "–" if change.old is None else formats.localize(change.old),
                        "–" if change.new is None else formats.localize(change.new),
                    )
                )
        if not rows:
            return _("Inga ändringar sedan listan skapades.")
        rows.sort(reverse=True)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("när"), _("vem"), _("kod"), _("fält"), _("gammalt"), _("nytt"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


@admin.register(PriceItem)
class PriceItemAdmin(LocalizedDecimals, LockedWhenInForce, SimpleHistoryAdmin):
    list_display = ("code", "name", "price_list", "one_time_fee", "monthly_fee", "usage_price", "active")
    list_filter = ("price_list", "section")
    list_select_related = ("price_list",)
    list_per_page = 50
    search_fields = ("code", "name")
    history_list_display = ["one_time_fee", "monthly_fee", "usage_price"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked")
    fields = ("user", "name", "revoked")
    list_filter = ("revoked",)

    def save_model(self, request, obj, form, change):
        if not change:
            token, key = ApiToken.issue(user=obj.user, name=obj.name)
            obj.pk = token.pk
            obj.key_hash, obj.prefix, obj.created_at = token.key_hash, token.prefix, token.created_at
            self.message_user(
                request,
                _("Ny API-nyckel (visas bara nu, spara den): %(key)s") % {"key": key},
                messages.WARNING,
            )
            return
        super().save_model(request, obj, form, change)


# Users and groups: Django's admin, with its two controls that fail WCAG 2.1 replaced — the
# date-and-time pairs of "last login" and "date joined" (inputs without labels) are shown
# read-only, and groups and permissions are plain multiple selects (the two-pane filter
# puts a prohibited aria-label on its search icons).
User = get_user_model()
for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class SellerProfileForm(forms.ModelForm):
    class Meta:
        model = SellerProfile
        fields = ("phone",)

    def clean_phone(self) -> str:
        """A number the customer can call, written the international way the offer shows it."""
        return phone_clean(self.cleaned_data["phone"])


class SellerProfileInline(admin.StackedInline):
    """The seller's phone on the user's page: the offer shows it under the seller."""

    model = SellerProfile
    form = SellerProfileForm
    can_delete = False
    extra = 1
    max_num = 1


@admin.register(User)
class AccessibleUserAdmin(UserAdmin):
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")
    inlines = (SellerProfileInline,)


@admin.register(Group)
class AccessibleGroupAdmin(GroupAdmin):
    filter_horizontal = ()
