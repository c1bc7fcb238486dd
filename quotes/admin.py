from django.contrib import admin

from .models import Quote, QuoteEvent


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "owner", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("company_name", "org_number", "number")

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
