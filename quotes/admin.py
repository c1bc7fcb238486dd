from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Quote, QuoteEvent, Team


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


@admin.register(QuoteEvent)
class QuoteEventAdmin(admin.ModelAdmin):
    list_display = ("quote", "kind", "at", "actor", "ip")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
