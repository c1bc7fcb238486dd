"""The catalog: versioned price lists of Smart Connect items.

A price list is a draft until an admin publishes it with a ``valid_from`` date. The list
in force on a date is the newest published one whose ``valid_from`` is on or before it.
A published list that is already in force is never edited in place: the admin copies it
into a new draft (``price_list_copy``) and publishes that.
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def default_vat_rate() -> Decimal:
    return settings.VAT_RATE


class PriceListQuerySet(models.QuerySet):
    def published(self) -> PriceListQuerySet:
        return self.filter(status=PriceList.Status.PUBLISHED)

    def in_force(self, on=None) -> PriceList | None:
        on = on or timezone.localdate()
        return (
            self.published()
            .filter(valid_from__lte=on)
            .order_by("-valid_from", "-published_at", "-id")
            .first()
        )


class PriceList(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        PUBLISHED = "published", _("Publicerad")

    name = models.CharField(_("namn"), max_length=200)
    valid_from = models.DateField(_("gäller från"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    vat_rate = models.DecimalField(
        _("momssats"),
        max_digits=4,
        decimal_places=3,
        default=default_vat_rate,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0,25 betyder 25 % moms."),
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies",
        verbose_name=_("kopierad från"),
    )
    # Bumped in the same transaction as any change to the list, its items or footnotes
    # (signals in configurator/signals.py): the key of the in-process catalog cache.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)

    history = HistoricalRecords()
    objects = PriceListQuerySet.as_manager()

    class Meta:
        verbose_name = _("prislista")
        verbose_name_plural = _("prislistor")
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()}, {self.valid_from or '–'})"

    @property
    def is_in_force(self) -> bool:
        """Published and valid_from reached: such a list is no longer edited in place."""
        return (
            self.status == self.Status.PUBLISHED
            and self.valid_from is not None
            and self.valid_from <= timezone.localdate()
        )

    @property
    def is_locked(self) -> bool:
        return self.is_in_force

    def clean(self) -> None:
        if self.status == self.Status.PUBLISHED and self.valid_from is None:
            raise ValidationError({"valid_from": _("En publicerad prislista behöver ett datum.")})


class Footnote(models.Model):
    """A footnote of the source price list, kept word for word (the terms of an offer)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="footnotes")
    ref = models.CharField(
        _("fotnot"), max_length=20, help_text=_("Som i källan: '4', 'SMS 1', 'samtal 2'.")
    )
    text = models.TextField(_("text"))
    term_title = models.CharField(
        _("villkorsrubrik"), max_length=200, blank=True,
        help_text=_("Rubrik för villkoret i offerten."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fotnot")
        verbose_name_plural = _("fotnoter")
        ordering = ["price_list", "id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "ref"], name="unique_footnote_ref")
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.text[:30]}…"


class PriceItem(models.Model):
    class Section(models.TextChoices):
        USER = "user", _("Användartjänster")
        COMPANY = "company", _("Företagstjänster")
        DELIVERY = "delivery", _("Leverans- och utbildningstjänster")
        TRAFFIC = "traffic", _("Trafik")

    class BilledTo(models.TextChoices):
        MOBILE = "mobile", _("Mobilabonnemanget")
        COMPANY = "company", _("Företaget")

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("kod"), max_length=40)
    name = models.CharField(_("namn"), max_length=200)
    section = models.CharField(_("avsnitt"), max_length=10, choices=Section.choices)
    billed_to = models.CharField(_("faktureras"), max_length=10, choices=BilledTo.choices)
    one_time_fee = models.DecimalField(
        _("startavgift"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    monthly_fee = models.DecimalField(
        _("månadsavgift"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    usage_price = models.DecimalField(
        _("rörligt pris"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Per SMS, samtal eller minut (trafik)."),
    )
    free_quota = models.PositiveIntegerField(
        _("fri mängd per månad"), null=True, blank=True
    )
    price_on_request = models.BooleanField(
        _("pris på förfrågan"), default=False,
        help_text=_("Säljaren anger överenskommet pris i offerten."),
    )
    footnote = models.ForeignKey(
        Footnote, null=True, blank=True, on_delete=models.SET_NULL, related_name="items",
        verbose_name=_("fotnot"),
    )
    sort_order = models.PositiveIntegerField(_("sortering"), default=0)
    active = models.BooleanField(_("aktiv"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("artikel")
        verbose_name_plural = _("artiklar")
        ordering = ["price_list", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "code"], name="unique_item_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.footnote_id and self.price_list_id and self.footnote.price_list_id != self.price_list_id:
            raise ValidationError({"footnote": _("Fotnoten hör till en annan prislista.")})


class ApiToken(models.Model):
    """A per-user token for integrations: ``Authorization: Token <key>``.

    Only the SHA-256 of the key is stored; the key is shown once, when created.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("användare")
    )
    name = models.CharField(_("namn"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("början"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("spärrad"), default=False)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str) -> tuple[ApiToken, str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8])
        return token, key


class SellerProfile(models.Model):
    """What an offer says about its seller besides the user's name and e-mail: the phone
    number the customer calls (``quotes.offer.snapshot``). Edited by admins on the user's
    page; a user without a profile has no phone on the offer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_profile",
        verbose_name=_("användare"),
    )
    phone = models.CharField(
        _("telefon"), max_length=30, blank=True,
        help_text=_("Visas i offerten under säljaren, t.ex. 070-123 45 67."),
    )

    class Meta:
        verbose_name = _("säljaruppgifter")
        verbose_name_plural = _("säljaruppgifter")

    def __str__(self) -> str:
        return self.phone
