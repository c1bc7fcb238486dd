from django import forms
from django.db import models
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DiscountApproval, DiscountLimit, OfferTerms, Quote, QuoteEvent, QuoteTemplate, Team, WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_webhook_secret,
)
from .offer.terms import org_number_clean, vat_matches_org_number, vat_number_clean
from .webhooks import UnsafeWebhookUrl, insecure_allowed, webhook_redeliver, webhook_target


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "owner", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("company_name", "org_number", "number")
    # The signed PDFs live in the database; they are served by the app's views.
    exclude = ("pdf", "accepted_pdf")
    # The dates of signing and of the customer's answer are set by what happens, not typed.
    readonly_fields = (
        "offer_pdf", "accepted_offer_pdf", "signed_at", "sent_at", "opened_at", "accepted_at", "declined_at",
        # Set by the seller's actions (untouched until the first change, archived), in the trail.
        "untouched", "origin", "archived_at",
    )

    @admin.display(description=_("PDF"))
    def offer_pdf(self, obj):
        if not obj or not obj.pdf:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("quotes:pdf", args=[obj.pk]), obj.pdf.name)

    @admin.display(description=_("Godkänd offert (PDF)"))
    def accepted_offer_pdf(self, obj):
        if not obj or not obj.accepted_pdf:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("quotes:accepted-pdf", args=[obj.pk]), obj.accepted_pdf.name)

    def has_change_permission(self, request, obj=None):
        # A signed quote is frozen: no admin edits.
        return super().has_change_permission(request, obj) and not (obj and obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_frozen)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the app writes and the admin only shows (the audit trail, approvals)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuoteEvent)
class QuoteEventAdmin(ReadOnlyAdmin):
    list_display = ("quote", "kind", "at", "actor", "ip")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """A sales manager's team: whose quotes the team overview ("Teamets översikt") counts."""

    list_display = ("name", "manager", "member_count")
    filter_horizontal = ("members",)
    search_fields = ("name", "manager__username", "manager__first_name", "manager__last_name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("manager").annotate(_members=Count("members"))

    @admin.display(description=_("säljare"), ordering="_members")
    def member_count(self, obj):
        return obj._members


# --- Webhooks (quotes/webhooks.py) -----------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("Adress (URL)"), max_length=500, assume_scheme="https",
                         help_text=_("Mottagarens HTTPS-adress, t.ex. https://crm.example.se/webhooks/offert"))
    events = forms.MultipleChoiceField(
        label=_("Händelser"), choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Händelserna som skickas till mottagaren."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "events", "active", "allow_insecure")

    def clean(self):
        data = super().clean()
        url = data.get("url")
        if url:
            allow = insecure_allowed() or bool(data.get("allow_insecure"))
            try:
                webhook_target(url, allow_insecure=allow)
            except UnsafeWebhookUrl as error:
                self.add_error("url", error.message)
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Receivers of quote events. The secret is made when the receiver is saved and shown
    here for the receiver's configuration; "Ny hemlighet" replaces it."""

    form = WebhookEndpointForm
    list_display = ("name", "url", "active", "event_list", "allow_insecure")
    list_filter = ("active",)
    readonly_fields = ("secret_display", "delivery_link", "created_at", "updated_at")
    actions = ("secret_rotate",)

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "active", "allow_insecure"]
        return fields + (["secret_display", "delivery_link", "created_at", "updated_at"] if obj else [])

    @admin.display(description=_("händelser"))
    def event_list(self, obj):
        return ", ".join(obj.events or [])

    @admin.display(description=_("hemlighet (för att verifiera signaturen)"))
    def secret_display(self, obj):
        return format_html("<code>{}</code>", obj.secret)

    @admin.display(description=_("leveranser"))
    def delivery_link(self, obj):
        url = reverse("admin:quotes_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Visa leveranserna"))

    @admin.action(description=_("Ny hemlighet för valda mottagare"))
    def secret_rotate(self, request, queryset):
        for endpoint in queryset:
            endpoint.secret = new_webhook_secret()
            endpoint.save(update_fields=["secret", "updated_at"])
        n = queryset.count()
        self.message_user(request, ngettext(
            "Ny hemlighet för %(n)s mottagare. Uppdatera mottagarens inställning.",
            "Ny hemlighet för %(n)s mottagare. Uppdatera mottagarnas inställning.", n,
        ) % {"n": n})

    def has_delete_permission(self, request, obj=None):
        # Deliveries keep their receiver: stop one with "aktiv" instead.
        return super().has_delete_permission(request, obj) and not (obj and obj.deliveries.exists())


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "at", "url", "ok", "status_code", "duration_ms", "error", "response_body")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every event sent (or on its way) to a receiver, each attempt with the answer."""

    list_display = ("created_at", "event_type", "quote", "endpoint", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "event_type", "endpoint")
    search_fields = ("message_id", "quote__number", "quote__company_name")
    list_select_related = ("quote", "endpoint")
    inlines = (WebhookAttemptInline,)
    actions = ("redeliver",)
    fields = (
        "endpoint", "quote", "event_type", "message_id", "status", "attempts", "next_attempt_at",
        "delivered_at", "last_error", "created_at", "payload_display",
    )
    readonly_fields = fields

    @admin.display(description=_("innehåll"))
    def payload_display(self, obj):
        import json

        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2))

    @admin.action(description=_("Skicka igen (leveranser som har gett upp)"))
    def redeliver(self, request, queryset):
        sent = sum(webhook_redeliver(delivery=d) for d in queryset)
        skipped = queryset.count() - sent
        self.message_user(request, ngettext(
            "%(n)s leverans skickas igen.", "%(n)s leveranser skickas igen.", sent,
        ) % {"n": sent})
        if skipped:
            self.message_user(
                request, ngettext(
                    "%(n)s leverans hoppades över: bara leveranser som har gett upp kan skickas igen.",
                    "%(n)s leveranser hoppades över: bara leveranser som har gett upp kan skickas igen.", skipped,
                ) % {"n": skipped},
                level=messages.WARNING,
            )


# --- Discount limits and approvals (quotes/approval) ---------------------------------------


@admin.register(DiscountLimit)
class DiscountLimitAdmin(admin.ModelAdmin):
    """The largest discount each role signs without approval (quotes.approval)."""

    list_display = ("role", "max_share_percent", "max_free_months")
    list_editable = ("max_share_percent", "max_free_months")


@admin.register(DiscountApproval)
class DiscountApprovalAdmin(ReadOnlyAdmin):
    """Requests and decisions, read-only: they are made in "Godkännanden"."""

    list_display = ("quote", "status", "requested_by", "requested_at", "discount_total", "discount_share",
                    "free_months", "decided_by", "decided_at")
    list_filter = ("status",)


def _https_urls(field, **kwargs):
    """An address typed without a scheme is https:// (Django 6's default, today)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class OfferTermsForm(forms.ModelForm):
    class Meta:
        model = OfferTerms
        exclude = ()
        formfield_callback = _https_urls
        # Sentences, not codes: room to read them whole (admin's wide text field).
        widgets = {
            name: forms.Textarea(attrs={"rows": 2, "cols": 80})
            for name in ("invoicing_period", "renewal", "notice_period", "delivery_time", "general_terms_name")
        }

    def clean_org_number(self) -> str:
        return org_number_clean(self.cleaned_data["org_number"])

    def clean_vat_number(self) -> str:
        return vat_number_clean(self.cleaned_data["vat_number"])

    def clean(self):
        data = super().clean()
        vat_number, org_number = data.get("vat_number"), data.get("org_number")
        if vat_number and org_number and not vat_matches_org_number(vat_number, org_number):
            self.add_error("vat_number", ValidationError(
                _("Momsregistreringsnumret hör inte till organisationsnumret: det ska vara SE%(digits)s01."),
                code="mismatch", params={"digits": org_number.replace("-", "")},
            ))
        return data


@admin.register(OfferTerms)
class OfferTermsAdmin(SimpleHistoryAdmin):
    """The one row of supplier details and commercial terms every offer states. Drafts
    show it as it is; a signed offer keeps what it said when it was signed."""

    form = OfferTermsForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as _https_urls
    fieldsets = (
        (_("Leverantör"), {"fields": ("supplier_name", "org_number", "vat_number", "f_tax", "address")}),
        (_("Avtals- och betalningsvillkor"), {
            "fields": ("payment_terms", "invoicing_period", "contract_start", "renewal", "notice_period", "delivery_time"),
            "description": _("Visas i varje offert under Avtals- och betalningsvillkor. Ändringar gäller utkast och "
                             "offerter som signeras efter ändringen; signerade offerter behåller sina villkor."),
        }),
        (_("Allmänna villkor"), {"fields": ("general_terms_name", "general_terms_url")}),
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not OfferTerms.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: the list is its page.
        terms = OfferTerms.objects.first()
        if terms is not None:
            return redirect(reverse("admin:quotes_offerterms_change", args=[terms.pk]))
        return super().changelist_view(request, extra_context)


class SharedFilter(admin.SimpleListFilter):
    title = _("delad")
    parameter_name = "gemensam"

    def lookups(self, request, model_admin):
        return [("1", _("Gemensamma mallar")), ("0", _("Säljarnas egna"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(owner__isnull=self.value() == "1")
        return queryset


@admin.register(QuoteTemplate)
class QuoteTemplateAdmin(admin.ModelAdmin):
    """Quote templates ("Från mall…"): admins keep the shared ones (no seller); sellers
    keep their own from a quote ("Spara som mall…"). Item codes as in the price list;
    codes today's list lacks are left out, and said, when a quote starts from one."""

    list_display = ("name", "kept_by", "updated_at")
    list_filter = (SharedFilter,)
    search_fields = ("name", "owner__username", "owner__first_name", "owner__last_name")
    fields = (
        "name", "owner", "items", "manual_prices", "traffic", "contract_months",
        "on_site_training", "travel_cost", "discounts", "alternatives", "alternative_index", "options",
    )

    @admin.display(description=_("säljare"), ordering="owner__username")
    def kept_by(self, obj):
        return obj.owner.get_full_name() or obj.owner.get_username() if obj.owner else _("Gemensam")
