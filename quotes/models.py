"""The deals: a quote is a draft configuration until the seller signs it.

One row is one revision of a quote: revision "A" is the first; changing a sent offer
makes a new row with the same ``number`` and the next letter, and the earlier revision
stays readable. A signed quote's ``snapshot`` holds its frozen lines, unit prices, totals
and price-list version; nothing edits a signed quote.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from configurator.limits import DEFAULT_CONTRACT_MONTHS, DEFAULT_VALIDITY_DAYS, MAX_QUANTITY
from configurator.models import PriceList
from configurator.roles import ROLES, SALES_MANAGERS_GROUP, is_seller

from .stored_documents import DocumentStorage


# The signed totals kept as columns: (field, key of the snapshot's "totals").
TOTAL_COLUMNS = (("one_time_total", "one_time"), ("monthly_total", "monthly"), ("contract_value", "contract_value"))

# The step form's first and last steps (their order and titles: quotes.draft.steps).
FIRST_STEP, SUMMARY_STEP = "kund", "sammanstallning"


def document_storage():
    """The signed PDFs' storage: the database (``StoredDocument``), never a local disk."""
    return DocumentStorage()


def _is_amount(value) -> bool:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    return amount.is_finite() and amount >= 0


def new_token() -> str:
    return secrets.token_urlsafe(32)


class QuoteQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuoteQuerySet:
        """Sellers and admins see every quote (colleagues' read-only); others nothing
        (the rule of quotes.access, as a queryset)."""
        return self if is_seller(user) else self.none()

    def listed(self) -> QuoteQuerySet:
        """What the quote list and the overview count: neither untouched drafts (nothing
        saved yet, see ``Quote.untouched``) nor archived ones."""
        return self.filter(untouched=False, archived_at__isnull=True)

    def archived(self) -> QuoteQuerySet:
        """The list's filter "Arkiverade"."""
        return self.filter(untouched=False, archived_at__isnull=False)


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SENT = "sent", _("Skickad")
        OPENED = "opened", _("Öppnad")
        ACCEPTED = "accepted", _("Accepterad")
        DECLINED = "declined", _("Avböjd")
        EXPIRED = "expired", _("Utgången")
        SUPERSEDED = "superseded", _("Ersatt")

    class ContractMonths(models.IntegerChoices):
        M12 = 12, _("12 månader")
        M24 = 24, _("24 månader")
        M36 = 36, _("36 månader")

    # Identity and ownership.
    number = models.CharField(_("offertnummer"), max_length=20, blank=True, db_index=True)
    revision = models.CharField(_("revision"), max_length=2, default="A")
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_revision",
        verbose_name=_("föregående revision"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotes",
        verbose_name=_("säljare"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    current_step = models.CharField(_("steg"), max_length=20, default=FIRST_STEP)
    # A new draft (empty, from a template or a copy) is untouched until a step of it is
    # saved with a change: it is in no list, has no audit trail yet (its "Skapad" event,
    # naming ``origin``, is written with that first change), and is deleted by its seller
    # ("Ta bort utkastet") or by the daily job a day later (quotes.draft.services).
    untouched = models.BooleanField(_("orört utkast"), default=False, db_index=True)
    origin = models.CharField(_("ursprung"), max_length=500, blank=True)
    # An archived draft leaves the list (filter "Arkiverade") until it is restored.
    archived_at = models.DateTimeField(_("arkiverad"), null=True, blank=True)

    # Step 1: Kund.
    company_name = models.CharField(_("företagsnamn"), max_length=200, blank=True)
    org_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-post"), blank=True)
    contact_phone = models.CharField(_("telefon"), max_length=30, blank=True)
    customer_address = models.TextField(_("adress"), blank=True)

    # Steps 2-6: the configuration the pricing engine reads.
    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("prislista")
    )
    items = models.JSONField(_("antal per artikel"), default=dict, blank=True)
    manual_prices = models.JSONField(_("överenskomna priser"), default=dict, blank=True)
    traffic = models.JSONField(_("trafikuppskattning"), default=dict, blank=True)
    # Negotiated discounts, exactly the JSON API's "discounts" object (configurator.discounts).
    discounts = models.JSONField(_("rabatter"), default=dict, blank=True)
    on_site_training = models.BooleanField(_("utbildning på plats"), default=False)
    travel_cost = models.DecimalField(
        _("resekostnad"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    # Alternatives and options the customer chooses (quotes.choices). ``items`` and
    # ``manual_prices`` above are those of the alternative the steps edit now.
    alternatives = models.JSONField(_("alternativ"), default=list, blank=True)
    alternative_index = models.PositiveSmallIntegerField(_("alternativet som redigeras"), default=0)
    options = models.JSONField(_("tillval"), default=dict, blank=True)

    # Step 7: Sammanställning.
    contract_months = models.PositiveSmallIntegerField(
        _("avtalstid"), choices=ContractMonths.choices, default=DEFAULT_CONTRACT_MONTHS
    )
    validity_days = models.PositiveSmallIntegerField(_("giltighet i dagar"), default=DEFAULT_VALIDITY_DAYS)
    customer_note = models.TextField(_("meddelande till kunden"), blank=True)

    # Signing (frozen from here on).
    snapshot = models.JSONField(_("fryst prissättning"), null=True, blank=True, editable=False)
    # The snapshot's totals as numbers the database can sum (the overview); set with the
    # snapshot when the quote is signed (``save``), frozen with it; for an offer with
    # alternatives or options, the customer's choice once accepted (``accepted_pricing``).
    one_time_total = models.DecimalField(
        _("engångsavgift"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    monthly_total = models.DecimalField(
        _("per månad"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    contract_value = models.DecimalField(
        _("avtalsvärde"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="signed_quotes", verbose_name=_("signerad av"),
    )
    valid_until = models.DateField(_("giltig till"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="quotes/%Y/", blank=True, storage=document_storage)
    pdf_sha256 = models.CharField(_("PDF:ens SHA-256"), max_length=64, blank=True)
    token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    opened_at = models.DateTimeField(_("öppnad"), null=True, blank=True)

    # Customer's answer.
    accepted_at = models.DateTimeField(_("accepterad"), null=True, blank=True)
    accepted_name = models.CharField(_("namn"), max_length=200, blank=True)
    accepted_title = models.CharField(_("titel"), max_length=200, blank=True)
    accepted_ip = models.GenericIPAddressField(_("IP-adress vid godkännandet"), null=True, blank=True)
    accepted_user_agent = models.TextField(_("webbläsare vid godkännandet"), blank=True)
    accepted_sha256 = models.CharField(_("godkänd offerts SHA-256"), max_length=64, blank=True)
    accepted_pdf = models.FileField(
        _("godkänd offert (PDF)"), upload_to="quotes/%Y/", blank=True, storage=document_storage
    )
    # The customer's choice (quotes.choices) and its pricing, frozen when accepted.
    accepted_alternative = models.CharField(_("valt alternativ"), max_length=100, blank=True)
    accepted_options = models.JSONField(_("valda tillval"), default=list, blank=True)
    accepted_pricing = models.JSONField(_("godkänd prissättning"), null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(_("avböjd"), null=True, blank=True)
    declined_reason = models.TextField(_("anledning"), blank=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("offert")
        verbose_name_plural = _("offerter")
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The quote list: a seller's own quotes, then the colleagues', newest first
            # (quotes.draft.selectors.MineFirstPaginator).
            models.Index(fields=["owner", "-updated_at", "-id"], name="quote_owner_updated"),
            models.Index(fields=["-updated_at", "-id"], name="quote_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "revision"],
                condition=~models.Q(number=""),
                name="unique_quote_number_revision",
            )
        ]

    def __str__(self) -> str:
        label = self.reference or _("Utkast %(id)s") % {"id": self.pk}
        return f"{label} – {self.company_name or '…'}"

    @property
    def reference(self) -> str:
        return f"{self.number} {self.revision}" if self.number else ""

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_frozen(self) -> bool:
        return self.signed_at is not None

    @property
    def display_name(self) -> str:
        """The customer, or "Utkast 17" before there is one."""
        return self.company_name or _("Utkast %(id)s") % {"id": self.pk}

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def save(self, *args, **kwargs):
        self.totals_from_snapshot()
        super().save(*args, **kwargs)

    def totals_from_snapshot(self) -> None:
        """A signed quote's one-time, monthly and contract value, copied once from its
        snapshot into columns (whatever signs it: ``quote_sign``, the admin, a test)."""
        totals = (self.snapshot or {}).get("totals") if self.signed_at else None
        if not totals or self.monthly_total is not None:
            return
        for field, key in TOTAL_COLUMNS:
            if totals.get(key) is not None:
                setattr(self, field, Decimal(str(totals[key])))


class Team(models.Model):
    """A sales manager's team: the sellers whose quotes the team overview counts
    (``quotes.overview``). Edited by admins; a manager may lead more than one."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_teams",
        verbose_name=_("säljchef"), limit_choices_to={"groups__name": SALES_MANAGERS_GROUP},
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="sales_teams", blank=True, verbose_name=_("säljare"),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("team")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuoteEventQuerySet(models.QuerySet):
    """Bulk writes would skip ``QuoteEvent.save``/``delete``: refused too."""

    def update(self, **kwargs):
        raise QuoteEvent.Immutable("The audit trail is never edited.")

    def delete(self):
        raise QuoteEvent.Immutable("The audit trail is never deleted.")


class QuoteEvent(models.Model):
    """The audit trail of a quote: appended, never edited (save refuses an update, delete
    refuses; the admin shows it read-only)."""

    class Immutable(Exception):
        """Raised on any attempt to change or remove a recorded event."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Skapad")
        STEP_SAVED = "step_saved", _("Steg sparat")
        NUMBERED = "numbered", _("Nummer reserverat")
        SIGNED = "signed", _("Signerad")
        SENT = "sent", _("Skickad")
        OPENED = "opened", _("Öppnad av kunden")
        ACCEPTED = "accepted", _("Accepterad")
        DECLINED = "declined", _("Avböjd")
        EXPIRED = "expired", _("Utgången")
        REISSUED = "reissued", _("Ny revision")
        DOCUMENT_ERROR = "doc_error", _("Dokumentfel")
        # Written by the task queue's worker (quotes.notifications).
        MAIL_SENT = "mail_sent", _("E-post skickad")
        MAIL_RETRY = "mail_retry", _("E-post misslyckades, nytt försök")
        MAIL_FAILED = "mail_failed", _("E-post kunde inte skickas")
        REMINDER = "reminder", _("Påminnelse skickad")
        # Discounts above the seller's limit (quotes.approval).
        APPROVAL_REQUESTED = "approval_req", _("Skickad för godkännande")
        APPROVED = "approved", _("Rabatt godkänd")
        REJECTED = "rejected", _("Rabatt avslagen")
        ARCHIVED = "archived", _("Arkiverad")
        RESTORED = "restored", _("Återställd")

    # Events nobody did by hand: the trail shows "automatiskt" as their actor.
    AUTOMATIC_KINDS = frozenset({Kind.EXPIRED, Kind.MAIL_SENT, Kind.MAIL_RETRY, Kind.MAIL_FAILED, Kind.REMINDER})

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="events", verbose_name=_("offert"))
    kind = models.CharField(_("händelse"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("av")
    )
    actor_label = models.CharField(_("namn"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    detail = models.CharField(_("detaljer"), max_length=500, blank=True)

    objects = QuoteEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def is_automatic(self) -> bool:
        return self.kind in self.AUTOMATIC_KINDS

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.Immutable("The audit trail is never edited.")
        # Always an INSERT: an event built with an existing id must not overwrite that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.Immutable("The audit trail is never deleted.")


class QuoteTemplate(models.Model):
    """A quote's configuration kept to start new quotes from ("Från mall…"): shared
    (no ``owner``: kept by admins) or a seller's own. Never a customer. Its item codes
    are checked against the price list in force when a quote starts from it."""

    name = models.CharField(_("namn"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="quote_templates", verbose_name=_("säljare"),
        help_text=_("Tom: en gemensam mall som alla säljare kan använda."),
    )
    items = models.JSONField(_("antal per artikel"), default=dict, blank=True)
    manual_prices = models.JSONField(_("överenskomna priser"), default=dict, blank=True)
    traffic = models.JSONField(_("trafikuppskattning"), default=dict, blank=True)
    on_site_training = models.BooleanField(_("utbildning på plats"), default=False)
    travel_cost = models.DecimalField(
        _("resekostnad"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    contract_months = models.PositiveSmallIntegerField(
        _("avtalstid"), choices=Quote.ContractMonths.choices, default=DEFAULT_CONTRACT_MONTHS
    )
    discounts = models.JSONField(_("rabatter"), default=dict, blank=True)
    alternatives = models.JSONField(_("alternativ"), default=list, blank=True)
    alternative_index = models.PositiveSmallIntegerField(_("alternativet som redigeras"), default=0)
    options = models.JSONField(_("tillval"), default=dict, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("offertmall")
        verbose_name_plural = _("offertmallar")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], condition=models.Q(owner__isnull=False), name="unique_own_template_name"
            ),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(owner__isnull=True), name="unique_shared_template_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def clean(self):
        """What the admin may type into the JSON fields: quantities as whole numbers
        within rule 1, agreed prices as amounts (unknown item codes are allowed: a
        quote started from the template says which ones today's price list lacks)."""
        errors = {}
        if not isinstance(self.items, dict) or not all(
            isinstance(code, str) and isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_QUANTITY
            for code, n in self.items.items()
        ):
            errors["items"] = _("Ska vara {\"kod\": antal} med heltal från 0 till %(max)s.") % {"max": MAX_QUANTITY}
        if not isinstance(self.manual_prices, dict) or not all(
            isinstance(p, dict) and set(p) <= {"one_time", "monthly"} and all(_is_amount(v) for v in p.values())
            for p in self.manual_prices.values()
        ):
            errors["manual_prices"] = _("Ska vara {\"kod\": {\"monthly\": \"7900.00\"}}.")
        if not isinstance(self.traffic, dict) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in self.traffic.values()
        ):
            errors["traffic"] = _("Ska vara {\"fält\": antal} med heltal.")
        if not isinstance(self.discounts, dict):
            errors["discounts"] = _("Ska vara ett objekt.")
        if errors:
            raise ValidationError(errors)


class QuoteReminder(models.Model):
    """A reminder before expiry, handed to the task queue once per quote and audience:
    the unique row is what makes the daily job idempotent (``quotes.daily``)."""

    class Audience(models.TextChoices):
        SELLER = "seller", _("säljaren")
        CUSTOMER = "customer", _("kunden")

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="reminders")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quote", "audience"], name="one_reminder_per_quote_and_audience")
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.audience}"


class DiscountLimit(models.Model):
    """The largest discount a role signs without approval: a share of the list contract
    value (percent) and a number of free months. Admins set them; the seed's values are
    defaults (migration ``0011_approval_discount_limits``)."""

    role = models.CharField(_("roll"), max_length=40, unique=True, choices=[(r, r) for r in ROLES])
    max_share_percent = models.DecimalField(
        _("högsta rabatt (% av avtalsvärdet enligt prislistan)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_free_months = models.PositiveSmallIntegerField(_("högsta antal fria månader"), default=0)

    class Meta:
        verbose_name = _("rabattgräns")
        verbose_name_plural = _("rabattgränser")
        ordering = ["max_share_percent", "role"]

    def __str__(self) -> str:
        return f"{self.role}: {self.max_share_percent} %, {self.max_free_months}"


class DiscountApproval(models.Model):
    """A request to approve a quote's discounts above its seller's limit, and the
    answer. Bound to a fingerprint of what was asked (the priced lines, totals and
    discounts, ``quotes.approval.rules.quote_fingerprint``): any change to the quote
    after the request no longer matches, and needs a new approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar på godkännande")
        APPROVED = "approved", pgettext_lazy("rabatt", "Godkänd")  # "Approved"; an accepted offer is also "Godkänd"
        REJECTED = "rejected", _("Avslagen")
        WITHDRAWN = "withdrawn", _("Ersatt av en ny begäran")

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("offert"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("begärd av"),
    )
    requested_at = models.DateTimeField(_("begärd"), auto_now_add=True)
    comment = models.TextField(_("säljarens kommentar"))
    fingerprint = models.CharField(_("fingeravtryck"), max_length=64)
    # What was asked, as it was priced when asked.
    contract_value_list = models.DecimalField(_("avtalsvärde enligt prislistan"), max_digits=14, decimal_places=2)
    contract_value = models.DecimalField(_("avtalsvärde netto"), max_digits=14, decimal_places=2)
    discount_total = models.DecimalField(_("rabatt under avtalstiden"), max_digits=14, decimal_places=2)
    discount_share = models.DecimalField(_("rabattens andel"), max_digits=5, decimal_places=4)
    free_months = models.PositiveSmallIntegerField(_("fria månader"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("beslut av"),
    )
    decided_at = models.DateTimeField(_("beslut"), null=True, blank=True)
    decision_comment = models.TextField(_("godkännarens kommentar"), blank=True)

    class Meta:
        verbose_name = _("rabattgodkännande")
        verbose_name_plural = _("rabattgodkännanden")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote"], condition=models.Q(status="pending"), name="one_pending_approval_per_quote"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.get_status_display()}"


class QuoteCounter(models.Model):
    """The last quote number handed out per year (row-locked while signing)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class StoredDocument(models.Model):
    """A signed PDF (the offer, the accepted offer), kept in the database.

    Written in the same transaction as the quote that points at it: a document exists only
    if its quote committed, and a committed quote never points at a missing or partial
    document (a kill, a full disk or database, any failure rolls both back together). Any
    number of app servers read the same documents; none keeps a file of its own.
    ``quotes.offer.storage.DocumentStorage`` is the Django storage over this table."""

    name = models.CharField(max_length=255, unique=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lagrat dokument")
        verbose_name_plural = _("lagrade dokument")

    def __str__(self) -> str:
        return self.name


# --- Webhooks (quotes.webhooks) ------------------------------------------------------------


def new_webhook_secret() -> str:
    """A signing secret in the Standard Webhooks format: ``whsec_`` + 32 random bytes in
    base64 (what ``standardwebhooks.Webhook`` takes as it is)."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_webhook_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class WebhookEndpoint(models.Model):
    """A receiver that admins register: the quote events it gets, signed with its secret
    (Standard Webhooks). Only HTTPS to public addresses, unless ``allow_insecure`` (or the
    ``WEBHOOK_ALLOW_INSECURE`` setting) says otherwise."""

    class Event(models.TextChoices):
        SIGNED = "quote.signed", _("Offerten signerad (quote.signed)")
        SENT = "quote.sent", _("Offerten skickad till kunden (quote.sent)")
        OPENED = "quote.opened", _("Kunden öppnade offerten (quote.opened)")
        ACCEPTED = "quote.accepted", _("Kunden godkände offerten (quote.accepted)")
        DECLINED = "quote.declined", _("Kunden avböjde offerten (quote.declined)")
        EXPIRED = "quote.expired", _("Offerten gick ut (quote.expired)")

    name = models.CharField(_("namn"), max_length=100)
    url = models.URLField(_("adress (URL)"), max_length=500)
    events = models.JSONField(_("händelser"), default=list)
    active = models.BooleanField(_("aktiv"), default=True)
    secret = models.CharField(_("hemlighet"), max_length=100, default=new_webhook_secret)
    allow_insecure = models.BooleanField(
        _("tillåt http och interna adresser"), default=False,
        help_text=_("Bara för test: skickar även utan HTTPS och till privata, lokala och interna adresser."),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("webhook-mottagare")
        verbose_name_plural = _("webhook-mottagare")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookDelivery(models.Model):
    """One event for one receiver: written in the transaction that records the event, so
    it exists from that moment; the task queue sends it (and retries it) from there. The
    body is fixed when the event happens; ``message_id`` (the ``webhook-id`` header) stays
    the same on every attempt, for the receiver to recognise a repeat."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        RETRYING = "retrying", _("Misslyckades, nytt försök")
        DELIVERED = "delivered", _("Levererad")
        FAILED = "failed", _("Gav upp")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("mottagare")
    )
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="webhook_deliveries", verbose_name=_("offert"))
    event = models.ForeignKey(
        QuoteEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="webhook_deliveries",
        verbose_name=_("händelse"),
    )
    event_type = models.CharField(_("typ"), max_length=20, choices=WebhookEndpoint.Event.choices, db_index=True)
    message_id = models.CharField(_("meddelande-id"), max_length=40, unique=True, default=new_webhook_message_id)
    payload = models.JSONField(_("innehåll"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    next_attempt_at = models.DateTimeField(_("nästa försök"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("levererad"), null=True, blank=True)
    last_error = models.CharField(_("senaste fel"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook-leverans")
        verbose_name_plural = _("webhook-leveranser")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint.name} ({self.message_id})"


class WebhookAttempt(models.Model):
    """One try to deliver: when, to which URL, the answer (status, the start of the body)
    or the error, and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_rows", verbose_name=_("leverans")
    )
    number = models.PositiveSmallIntegerField(_("försök nr"))
    at = models.DateTimeField(_("tidpunkt"))
    url = models.CharField(_("adress"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("HTTP-status"), null=True, blank=True)
    response_body = models.TextField(_("svar (början)"), blank=True)
    error = models.CharField(_("fel"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("tid (ms)"), default=0)
    ok = models.BooleanField(_("lyckades"), default=False)

    class Meta:
        verbose_name = _("leveransförsök")
        verbose_name_plural = _("leveransförsök")
        ordering = ["delivery", "number", "id"]

    def __str__(self) -> str:
        return _("Försök %(n)s") % {"n": self.number}
class OfferTerms(models.Model):
    """The supplier's details and the commercial terms every offer states (one row,
    edited by admins under *Offertvillkor*): legal name, org.nr, VAT number, F-skatt,
    payment terms, invoicing, contract start, renewal, notice, delivery time and the
    general terms. A draft shows the row as it is now; signing copies it into the quote's
    snapshot (``quotes.offer.terms``), so a later change never alters a signed offer.

    One row for every offer rather than fields per price list: these are the company's
    terms, not prices, they change on other days than prices do, and a price list in force
    is read-only. ``current()`` reads the row (``pk`` 1, created by migration
    ``0012_terms_offer_terms`` with defaults an admin should check)."""

    SINGLETON_PK = 1

    supplier_name = models.CharField(_("leverantörens juridiska namn"), max_length=200)
    org_number = models.CharField(_("organisationsnummer"), max_length=20, help_text=_("T.ex. 556430-0142."))
    vat_number = models.CharField(
        _("momsregistreringsnummer"), max_length=20,
        help_text=_("SE, organisationsnumrets tio siffror och 01, t.ex. SE556430014201."),
    )
    f_tax = models.BooleanField(_("godkänd för F-skatt"), default=True)
    address = models.CharField(_("adress"), max_length=200, blank=True, help_text=_("T.ex. 169 94 Solna."))
    payment_terms = models.CharField(_("betalningsvillkor"), max_length=200, help_text=_("T.ex. 30 dagar netto."))
    invoicing_period = models.CharField(
        _("fakturering"), max_length=200, help_text=_("T.ex. Månadsavgifter faktureras månadsvis i förskott.")
    )
    contract_start = models.CharField(_("avtalsstart"), max_length=200, help_text=_("T.ex. Från leveransdatum."))
    renewal = models.CharField(
        _("förlängning"), max_length=300,
        help_text=_("T.ex. Avtalet förlängs med 12 månader i taget om det inte sägs upp."),
    )
    notice_period = models.CharField(
        _("uppsägning"), max_length=300,
        help_text=_("T.ex. Skriftligen senast 3 månader före avtalstidens slut."),
    )
    delivery_time = models.CharField(
        _("leveranstid"), max_length=300, help_text=_("T.ex. Normalt 4–6 veckor från godkänd offert.")
    )
    general_terms_name = models.CharField(_("allmänna villkor (namn)"), max_length=200)
    general_terms_url = models.URLField(_("allmänna villkor (adress)"), max_length=300)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offertvillkor och leverantörsuppgifter")
        verbose_name_plural = _("offertvillkor och leverantörsuppgifter")

    def __str__(self) -> str:
        return gettext("Offertvillkor – %(name)s") % {"name": self.supplier_name}

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK  # one row, always
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> OfferTerms:
        """The terms offers state today (the migration's defaults if the row is gone)."""
        terms = cls.objects.filter(pk=cls.SINGLETON_PK).first()
        return terms if terms is not None else cls(pk=cls.SINGLETON_PK, **OFFER_TERMS_DEFAULTS)


# The defaults migration 0012 seeds. Telia Sverige AB's public org.nr and VAT number;
# assumed values an admin should check before sending offers.
OFFER_TERMS_DEFAULTS = {
    "supplier_name": "Telia Sverige AB",
    "org_number": "556430-0142",
    "vat_number": "SE556430014201",
    "f_tax": True,
    "address": "169 94 Solna",
    "payment_terms": "30 dagar netto",
    "invoicing_period": "Månadsavgifter faktureras månadsvis i förskott, engångsavgifter efter leverans",
    "contract_start": "Från leveransdatum",
    "renewal": "Avtalet förlängs med 12 månader i taget om det inte sägs upp",
    "notice_period": "Skriftligen senast 3 månader före avtalstidens slut",
    "delivery_time": "Normalt 4–6 veckor från godkänd offert",
    "general_terms_name": "Telias allmänna villkor för företagstjänster",
    "general_terms_url": "https://www.telia.se/foretag/villkor",
}
