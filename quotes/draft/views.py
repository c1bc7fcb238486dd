"""The seller's pages: the quote list, the step form over a draft, the read-only quote.

Every step is a plain form post (works without JavaScript); htmx only makes the totals
live by posting the step's form to ``recalculate``, which prices the unsaved values and
answers with the totals partial. Permission checks live here, in the views: a partial
render skips the template.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from configurator.pricing import IMPLEMENTATIONS, PriceResult
from configurator.selectors import catalog_for, price_list_in_force

from ..access import login_redirect, quote_to_change, seller_required
from ..approval.rules import approval_state
from ..approval.views import approval_request_view
from ..errors import NoPriceListInForce, QuoteArchived, QuoteNotEditable
from ..models import FIRST_STEP, SUMMARY_STEP, Quote, QuoteTemplate
from ..offer.document import offer_document
from ..offer.services import quote_sign_problems, quotes_expire_due
from ..offer.views import quote_sign_view
from ..overview.filters import quote_list_query
from ..pricing import quote_preview, quote_pricing
from .choices import ChoicesForm, is_choice_action, quote_choices_change
from .forms import ARCHIVED, FORMS, StepForm, TemplateNameForm
from .selectors import MineFirstPaginator, price_list_change, quote_list_totals, template_summaries, templates_for
from .services import (
    DraftNotRemovable, Started, TemplateNameTaken, quote_archive, quote_copy, quote_create, quote_delete,
    quote_from_template, quote_label, quote_reprice, quote_restore, quote_save_step, quote_template_delete,
    quote_template_rename, quote_template_save,
)
from .steps import (
    DISCOUNT_STEP, STEPS, discounts_exceeding, field_is_invalid, neighbour, place_problems, problems_by_field, step_for, steps_with_errors,
)

TOTALS_PARTIAL = "quotes/draft/step.html#totals"
STEPPER_PARTIAL = "quotes/draft/step.html#stepper"
PAGE_SIZE = 25


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _draft_to_edit(request: HtmxHttpRequest, pk: int, step: str, *, with_owner: bool = True) -> Quote:
    if step_for(step) is None:
        raise Http404
    return quote_to_change(request, pk, with_owner=with_owner)


def _frozen_redirect(request: HtmxHttpRequest, quote: Quote) -> HttpResponse:
    messages.info(request, _("Offerten är inte längre ett utkast och kan inte ändras."))
    url = resolve_url("quotes:detail", pk=quote.pk)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _archived_redirect(request: HtmxHttpRequest, quote: Quote) -> HttpResponse:
    messages.info(request, _("Utkastet är arkiverat. Återställ det för att ändra det."))
    url = resolve_url("quotes:detail", pk=quote.pk)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- Quote list -------------------------------------------------------------------------


@seller_required
@require_GET
def quote_list(request: HtmxHttpRequest) -> HttpResponse:
    quotes_expire_due()  # offers past their day show (and filter) as expired; 1 query when none is due
    listed = quote_list_query(request)  # search, status, seller, period (quotes.overview.filters)
    page = MineFirstPaginator(listed.quotes, request.user, PAGE_SIZE).get_page(request.GET.get("sida"))
    totals = quote_list_totals(page.object_list)
    rows = [(q, totals.get(q.pk)) for q in page.object_list]
    return render(
        request,
        "quotes/draft/list.html",
        {"form": listed.form, "filters": listed.filters, "page": page, "rows": rows,
         "query": listed.query, "filtered": listed.filtered,
         "archived": listed.form.is_bound and listed.form.data.get("status") == ARCHIVED},
    )


@seller_required
@require_POST
def quote_new(request: HtmxHttpRequest) -> HttpResponse:
    try:
        quote = quote_create(owner=request.user, request=request)
    except NoPriceListInForce:
        messages.error(request, _("Ingen prislista gäller just nu — kontakta en administratör."))
        return redirect("quotes:list")
    return redirect("quotes:step", pk=quote.pk, step=quote.current_step)


# --- The step form ----------------------------------------------------------------------


# Buttons of the step form that save the step and then act, staying on the step.
SIGN, REPRICE, APPROVAL = "sign", "reprice", "approval"


def _target_step(data, step: str) -> str:
    """Where the pressed button goes: a stepper link (goto), Nästa or Föregående; Spara,
    "Signera och skicka" and "Använd prislistan som gäller" stay (and Enter in a field
    is Nästa, or Spara on the last step: the page's first submit button)."""
    goto = data.get("goto")
    if goto and step_for(goto):
        return goto
    nav = data.get("nav")
    if nav == "next":
        return neighbour(step, 1).slug
    if nav == "prev":
        return neighbour(step, -1).slug
    return step


def _step_context(
    quote: Quote, step: str, form: StepForm, result: PriceResult, *, oob: bool = False
) -> dict:
    placed = place_problems(result.errors, result.warnings, exceeding=discounts_exceeding(result, quote.discounts))
    with_errors = steps_with_errors(placed)
    by_field = problems_by_field(placed, step)
    form_errors = form.errors if form.is_bound else {}
    field_messages = [
        {
            "name": name,
            "errors": form_errors.get(name, []),
            "problems": by_field.get(name, []),
            "invalid": field_is_invalid(form_errors.get(name), by_field.get(name, [])),
        }
        for name in form.fields
    ]
    # A value the form refuses is priced with its stored value: the panel says so
    # instead of showing those totals as the seller's (and never "följer prislistans regler").
    refused = [
        {"label": form.fields[name].label, "errors": errors}
        for name, errors in form_errors.items()
        if name in form.fields and name not in form.unpriced
    ]
    return {
        "quote": quote,
        "step": step_for(step),
        "stepper": stepper_html(step, frozenset(with_errors)),
        "previous": neighbour(step, -1) if step != FIRST_STEP else None,
        "next": neighbour(step, 1) if step != SUMMARY_STEP else None,
        "form": form,
        "result": result,
        "totals": result.totals,
        "problems": placed,
        "field_problems": by_field,
        "field_messages": field_messages,
        "auto_lines": [line for line in result.lines if line.auto_added and line.code in IMPLEMENTATIONS],
        "refused": refused,
        "oob": oob,
        # The summary shows the offer as the customer will see it, following the live totals.
        "doc": offer_document(quote, result=result) if step == SUMMARY_STEP else None,
        # The owner's discount limit and the approval (only when there is a discount).
        "discount_limit": approval_state(quote, result) if step in (DISCOUNT_STEP, SUMMARY_STEP) else None,
    }


@lru_cache(maxsize=256)
def _stepper_html(language: str, step: str, with_errors: frozenset[str]) -> str:
    steps = [{"step": s, "current": s.slug == step, "has_errors": s.slug in with_errors} for s in STEPS]
    return render_to_string(STEPPER_PARTIAL, {"steps": steps})


def stepper_html(step: str, with_errors: frozenset[str]) -> str:
    """The stepper's list of steps. It depends on nothing but the language, the step and
    which steps have problems, so each worker renders each combination once (a few dozen
    in practice) instead of on every keystroke's recalculation."""
    return _stepper_html(get_language(), step, with_errors)


@seller_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def quote_step(request: HtmxHttpRequest, pk: int, step: str) -> HttpResponse:
    quote = _draft_to_edit(request, pk, step)
    if not quote.is_draft:
        return _frozen_redirect(request, quote)
    if quote.is_archived:
        return _archived_redirect(request, quote)
    choices_form, status = None, 200
    if request.method == "POST":
        action = request.POST.get("nav")
        target = _target_step(request.POST, step)
        try:
            saved = quote_save_step(quote=quote, step=step, data=request.POST, target=target, request=request)
        except QuoteArchived:
            return _archived_redirect(request, quote)
        except QuoteNotEditable:
            return _frozen_redirect(request, quote)
        except Quote.DoesNotExist:  # an untouched draft, deleted since the page was loaded
            raise Http404 from None
        quote, form = saved.quote, saved.form
        catalog = catalog_for(quote.price_list)
        if not form.errors and step == SUMMARY_STEP and is_choice_action(action) and not request.htmx:
            changed = _choices_change(request, quote, action)
            if isinstance(changed, HttpResponse):
                return changed
            quote, choices_form, status = changed.quote, changed.form, 400
        if request.htmx:  # an autosave: answer with the totals only
            result = quote_pricing(quote, catalog=catalog)
            return render(request, TOTALS_PARTIAL, _step_context(quote, step, form, result, oob=True))
        if choices_form is not None:
            pass  # refused: the summary again, with what to fix under "Alternativ och tillval"
        elif not form.errors:
            if action == REPRICE:
                return _reprice(request, quote, step)
            if action == SIGN and step == SUMMARY_STEP:
                return quote_sign_view(request, quote.pk)  # signs what is now saved
            if action == APPROVAL and step == SUMMARY_STEP:
                return approval_request_view(request, quote.pk)  # asks for what is now saved
            return redirect("quotes:step", pk=quote.pk, step=target)
        else:
            _refused_message(request, form, action)
    else:
        catalog = catalog_for(quote.price_list)
        form = FORMS[step](quote=quote, catalog=catalog)
    result = quote_pricing(quote, catalog=catalog)
    context = _step_context(quote, step, form, result)
    # The full page only (the live totals partial stays lean): the price list the draft
    # uses against the one in force, and on the summary what still blocks signing.
    context["moved"] = price_list_change(quote, result=result)
    if step == SUMMARY_STEP:
        context["sign_problems"] = quote_sign_problems(quote=quote, result=result)
        context["choices_form"] = choices_form or ChoicesForm(quote=quote, catalog=catalog)
    return render(request, "quotes/draft/step.html", context, status=status)


def _refused_message(request: HtmxHttpRequest, form: StepForm, action: str | None) -> None:
    if action == SIGN:
        messages.error(request, _("Offerten är inte signerad."))
    if action == APPROVAL:
        messages.error(request, _("Offerten är inte skickad för godkännande."))
    labels = ", ".join(str(form.fields[name].label) for name in form.errors if name in form.fields)
    if form.conflicts:
        messages.warning(
            request,
            _("Inte sparat: %(fields)s ändrades i en annan flik eller av en kollega medan du skrev. "
              "Välj vid fältet vilket värde som ska gälla. Allt annat i steget är sparat.")
            % {"fields": labels},
        )
    else:
        messages.error(
            request,
            _("Inte sparat: %(fields)s — rätta det markerade fältet. Allt annat i steget är sparat.")
            % {"fields": labels},
        )


def _choices_change(request: HtmxHttpRequest, quote: Quote, action: str):
    """A button of "Alternativ och tillval" (the step is saved already): back to the
    summary with what was done, or the ``ChoicesChanged`` whose form says what to fix."""
    try:
        changed = quote_choices_change(quote=quote, action=action, data=request.POST, request=request)
    except QuoteNotEditable:
        return _frozen_redirect(request, quote)
    if changed.message:
        messages.success(request, changed.message)
        return redirect(resolve_url("quotes:step", pk=quote.pk, step=SUMMARY_STEP) + "#alternativ-och-tillval")
    messages.error(request, _("Inte ändrat: rätta det som är markerat under Alternativ och tillval."))
    return changed


def _reprice(request: HtmxHttpRequest, quote: Quote, step: str) -> HttpResponse:
    """"Använd prislistan som gäller": the saved draft moves to the price list in force."""
    try:
        repriced = quote_reprice(quote=quote, request=request)
    except QuoteArchived:
        return _archived_redirect(request, quote)
    except QuoteNotEditable:
        return _frozen_redirect(request, quote)
    price_list = repriced.quote.price_list
    if repriced.moved:
        messages.success(
            request,
            _("Offerten använder nu %(name)s, som gäller från %(date)s.")
            % {"name": price_list.name, "date": price_list.valid_from.isoformat()},
        )
    if repriced.dropped:
        old = catalog_for(quote.price_list).items  # the list the draft was on
        messages.warning(
            request,
            _("Finns inte i den nya prislistan och togs bort: %(names)s")
            % {"names": ", ".join(old[c].name if c in old else c for c in repriced.dropped)},
        )
    return redirect("quotes:step", pk=quote.pk, step=step)


@require_POST
def quote_recalculate(request: HtmxHttpRequest, pk: int, step: str) -> HttpResponse:
    """Price the step's posted, unsaved values merged over the stored draft; answer with
    the totals partial. Never saves. A bad value is priced with its stored value and its
    message is shown. Three queries whatever the quote's size: session, user, the quote
    with its price list (the catalog comes from the per-process cache; two more queries
    when a worker reads a price list version for the first time). On the discount and
    summary steps a quote with a discount reads its owner's limit and its approvals too
    (three more)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    # Only the discount and summary steps show the owner (the limit, the offer's seller).
    quote = _draft_to_edit(request, pk, step, with_owner=step in (DISCOUNT_STEP, SUMMARY_STEP))
    if not quote.is_draft:
        return _frozen_redirect(request, quote)
    catalog = catalog_for(quote.price_list)
    form = FORMS[step](request.POST, quote=quote, catalog=catalog)
    preview = quote_preview(quote, form.changes())
    result = quote_pricing(preview, catalog=catalog)
    return render(request, TOTALS_PARTIAL, _step_context(preview, step, form, result, oob=True))


# --- Starting from a template or a copy -------------------------------------------------


def _started(request: HtmxHttpRequest, started: Started, message: str) -> HttpResponse:
    """To the new draft's first step, saying where it came from, and (clearly, not as an
    error) which items today's price list no longer has."""
    messages.success(request, message)
    if started.dropped:
        messages.warning(
            request,
            _("Finns inte i dagens prislista och togs inte med: %(names)s. Kontrollera konfigurationen.")
            % {"names": ", ".join(started.dropped)},
        )
    return redirect("quotes:step", pk=started.quote.pk, step=started.quote.current_step)


def _no_price_list(request: HtmxHttpRequest) -> HttpResponse:
    messages.error(request, _("Ingen prislista gäller just nu — kontakta en administratör."))
    return redirect("quotes:list")


@seller_required
@require_POST
def quote_copy_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """"Kopiera": any quote the seller sees (``seller_required``: sellers see every one)."""
    source = get_object_or_404(Quote.objects.select_related("price_list"), pk=pk)
    try:
        started = quote_copy(source=source, owner=request.user)
    except NoPriceListInForce:
        return _no_price_list(request)
    return _started(
        request, started,
        _("Ny offert: en kopia av %(quote)s med priserna i dagens prislista. Kunden följer inte med — fyll i den här.")
        % {"quote": quote_label(source)},
    )


@seller_required
@require_GET
def template_list(request: HtmxHttpRequest) -> HttpResponse:
    """"Från mall…": the shared templates and the seller's own, each priced on today's
    list; start a quote from one, rename or delete one's own."""
    summaries = template_summaries(templates_for(request.user), price_list_in_force())
    return render(request, "quotes/draft/templates.html", {
        "shared": [s for s in summaries if s.template.is_shared],
        "own": [s for s in summaries if not s.template.is_shared],
    })


@seller_required
@require_POST
def quote_new_from_template(request: HtmxHttpRequest, template_pk: int) -> HttpResponse:
    template = get_object_or_404(templates_for(request.user), pk=template_pk)
    try:
        started = quote_from_template(template=template, owner=request.user)
    except NoPriceListInForce:
        return _no_price_list(request)
    return _started(
        request, started,
        _("Ny offert från mallen «%(name)s», med priserna i dagens prislista. Fyll i kunden här.")
        % {"name": template.name},
    )


def _template_to_change(request: HtmxHttpRequest, template_pk: int) -> QuoteTemplate:
    """A seller's own template; a shared one only for admins (404 for another seller's)."""
    template = get_object_or_404(templates_for(request.user), pk=template_pk)
    if template.is_shared and not request.user.is_staff:
        raise PermissionDenied
    return template


@seller_required
@require_http_methods(["GET", "POST"])
def quote_template_save_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """"Spara som mall": the quote's saved configuration, never its customer."""
    quote = get_object_or_404(Quote.objects.select_related("price_list"), pk=pk)
    form = TemplateNameForm(request.POST or None, may_share=request.user.is_staff)
    if request.method == "POST" and form.is_valid():
        try:
            template = quote_template_save(
                quote=quote, owner=request.user, name=form.cleaned_data["name"],
                shared=bool(form.cleaned_data.get("shared")),
            )
        except TemplateNameTaken as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("Mallen «%(name)s» är sparad.") % {"name": template.name})
            return redirect("quotes:templates")
    return render(request, "quotes/draft/template_save.html", {"quote": quote, "form": form})


@seller_required
@require_http_methods(["GET", "POST"])
def template_rename(request: HtmxHttpRequest, template_pk: int) -> HttpResponse:
    template = _template_to_change(request, template_pk)
    form = TemplateNameForm(request.POST or None, initial={"name": template.name})
    if request.method == "POST" and form.is_valid():
        try:
            quote_template_rename(template=template, name=form.cleaned_data["name"])
        except TemplateNameTaken as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("Mallen heter nu «%(name)s».") % {"name": template.name})
            return redirect("quotes:templates")
    return render(request, "quotes/draft/template_rename.html", {"template": template, "form": form})


@seller_required
@require_http_methods(["GET", "POST"])
def template_delete(request: HtmxHttpRequest, template_pk: int) -> HttpResponse:
    template = _template_to_change(request, template_pk)
    if request.method == "POST":
        quote_template_delete(template=template)
        messages.success(request, _("Mallen «%(name)s» är borttagen.") % {"name": template.name})
        return redirect("quotes:templates")
    return render(request, "quotes/draft/confirm.html", {
        "title": _("Ta bort mallen «%(name)s»?") % {"name": template.name},
        "text": _("Mallen tas bort för gott. Offerter som redan har startats från den påverkas inte."),
        "action": resolve_url("quotes:template-delete", template_pk=template.pk),
        "button": _("Ta bort mallen"),
        "cancel": resolve_url("quotes:templates"),
    })


# --- Archive, restore, delete -----------------------------------------------------------


@seller_required
@require_http_methods(["GET", "POST"])
def quote_archive_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """"Arkivera…": asks first (a page of its own: works by keyboard and without
    JavaScript), then archives."""
    quote = quote_to_change(request, pk)
    if request.method == "POST":
        try:
            quote_archive(quote=quote, user=request.user, request=request)
        except DraftNotRemovable as error:
            messages.error(request, error.message)
            return redirect("quotes:detail", pk=quote.pk)
        messages.success(
            request,
            _("«%(name)s» är arkiverat. Du hittar det under Status: Arkiverade utkast och kan återställa det där.")
            % {"name": quote.display_name},
        )
        return redirect("quotes:list")
    if not quote.is_draft or quote.untouched:
        return redirect("quotes:delete", pk=quote.pk)  # that page says what can be done
    return render(request, "quotes/draft/confirm.html", {
        "quote": quote,
        "title": _("Arkivera «%(name)s»?") % {"name": quote.display_name},
        "text": _("Utkastet försvinner från listan men finns kvar med sin historik. Du hittar det under "
                  "Status: Arkiverade utkast och kan återställa det när du vill."),
        "action": resolve_url("quotes:archive", pk=quote.pk),
        "button": _("Arkivera utkastet"),
        "cancel": resolve_url("quotes:detail", pk=quote.pk),
    })


@seller_required
@require_POST
def quote_restore_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    quote = quote_to_change(request, pk)
    try:
        quote = quote_restore(quote=quote, user=request.user, request=request)
    except DraftNotRemovable as error:
        messages.error(request, error.message)
        return redirect("quotes:detail", pk=quote.pk)
    messages.success(request, _("«%(name)s» är återställt och finns i listan igen.") % {"name": quote.display_name})
    return redirect("quotes:detail", pk=quote.pk)


@seller_required
@require_http_methods(["GET", "POST"])
def quote_delete_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """"Ta bort utkastet…": an untouched draft is deleted; the page says why a draft with
    a history is archived instead, and that a signed quote always stays."""
    quote = quote_to_change(request, pk)
    if request.method == "POST":
        try:
            quote_delete(quote=quote)
        except DraftNotRemovable as error:
            messages.error(request, error.message)
            return redirect("quotes:detail", pk=quote.pk)
        messages.success(request, _("Utkastet är borttaget."))
        return redirect("quotes:list")
    context = {"quote": quote, "cancel": resolve_url("quotes:detail", pk=quote.pk)}
    if not quote.is_draft:
        context.update(
            title=_("En signerad offert kan inte tas bort"),
            text=_("Offerten är signerad och skickad till kunden: den och dess historik finns alltid kvar."),
        )
    elif quote.untouched:
        context.update(
            title=_("Ta bort «%(name)s»?") % {"name": quote.display_name},
            text=_("Inget är sparat i utkastet än. Det tas bort helt och går inte att få tillbaka."),
            action=resolve_url("quotes:delete", pk=quote.pk),
            button=_("Ta bort utkastet"),
        )
    else:
        context.update(
            title=_("«%(name)s» kan inte tas bort, men arkiveras") % {"name": quote.display_name},
            text=_("Utkastet har en historik (Händelser) som alltid sparas, så det tas inte bort. Arkivera det i "
                   "stället: det försvinner från listan, och du kan hitta och återställa det under "
                   "Status: Arkiverade utkast."),
            action=resolve_url("quotes:archive", pk=quote.pk),
            button=_("Arkivera utkastet"),
        )
    return render(request, "quotes/draft/confirm.html", context)
