"""Discount limits per role and approval (issue 11, part 2): the limits, signing blocked
above the owner's limit, the request with its comment, who may approve (never the owner,
a sales manager for the team, within the approver's own limit), the decision, the
fingerprint that makes any later change need approval again, the e-mails and the audit
trail."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from configurator.roles import ensure_sales_directors_group, ensure_sales_managers_group
from quotes.approval.rules import approvals_to_decide, limit_of, may_approve
from quotes.approval.services import ApprovalError, approval_decide, approval_request
from quotes.models import DiscountApproval, DiscountLimit, Quote, QuoteEvent, Team
from quotes.offer.services import quote_sign, quote_sign_problems

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import AdminFactory, QuoteFactory, SellerFactory, UserFactory
from .queue_support import tasks_run
from .test_lost_updates import concurrent_sqlite_readers  # noqa: F401

Status = DiscountApproval.Status
NBSP = "\u00a0"


def manager_factory(username, *members, team="Team Syd"):
    user = UserFactory(username=username, first_name=username.capitalize(), last_name="Chef")
    user.groups.add(ensure_sales_managers_group())
    if members:
        t, _ = Team.objects.get_or_create(name=team, defaults={"manager": user})
        t.members.add(*members)
    return user


def director_factory(username="dora"):
    user = UserFactory(username=username, first_name="Dora", last_name="Direktör")
    user.groups.add(ensure_sales_directors_group())
    return user


@pytest.fixture
def manager(seller):
    return manager_factory("maja", seller)


@pytest.fixture
def director(db):
    return director_factory()


def quote_with(owner, discounts, **kwargs):
    return QuoteFactory(owner=owner, discounts=discounts, **kwargs)


def share_of(quote) -> Decimal:
    from quotes.pricing import quote_pricing

    return quote_pricing(quote).totals.discount_share * 100


# --- Limits -------------------------------------------------------------------------------


def test_the_seeded_limits_per_role(seller, manager, director, admin_user):
    assert (limit_of(seller).share_percent, limit_of(seller).free_months) == (Decimal("10"), 1)
    assert (limit_of(manager).share_percent, limit_of(manager).free_months) == (Decimal("30"), 3)
    assert (limit_of(director).share_percent, limit_of(director).free_months) == (Decimal("100"), 11)
    assert limit_of(admin_user).share_percent == Decimal("10")  # an admin in no role: a seller's


def test_an_admin_changes_a_limit_and_it_applies_at_once(seller, price_list):
    quote = quote_with(seller, {"monthly_percent": "15"})
    assert any("gräns" in p for p in quote_sign_problems(quote=quote))
    DiscountLimit.objects.filter(role="Säljare").update(max_share_percent=Decimal("20"))
    assert not quote_sign_problems(quote=quote)


def test_within_the_limit_signs_as_today(seller, price_list, doc_env):
    quote = quote_with(seller, {"monthly_percent": "5", "free_months": 1})
    assert 0 < share_of(quote) <= 10
    assert quote_sign_problems(quote=quote) == []
    assert quote_sign(quote=quote, user=seller).status == Quote.Status.SENT


def test_above_the_limit_the_message_says_the_share_and_the_limit(seller, price_list):
    quote = quote_with(seller, {"monthly_percent": "40"})
    problems = " ".join(quote_sign_problems(quote=quote))
    share = f"{share_of(quote).quantize(Decimal('0.1'))}".replace(".", ",")
    assert f"Rabatten är {share} % av avtalsvärdet enligt prislistan" in problems
    assert "säljarens gräns (Säljare) är 10 % och 1 fri månad" in problems
    assert "Skicka offerten för godkännande." in problems


def test_free_months_above_the_limit_need_approval_too(seller, price_list):
    quote = quote_with(seller, {"free_months": 2})
    assert "2 fria månader" in " ".join(quote_sign_problems(quote=quote))


def test_signing_above_the_limit_is_refused_also_by_a_crafted_post(client, seller, price_list, doc_env):
    quote = quote_with(seller, {"monthly_percent": "40"})
    client.force_login(seller)
    response = client.post(reverse("quotes:sign", args=[quote.pk]), follow=True)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and not quote.number
    assert "säljarens gräns (Säljare) är 10 %" in response.content.decode().replace(NBSP, " ")


# --- Request, decide, sign ----------------------------------------------------------------


def test_the_whole_way_request_approve_sign(client, seller, manager, director, price_list, doc_env):
    quote = quote_with(seller, {"monthly_percent": "20", "lines": {"startup_help": {"one_time_amount": "499.00"}}})
    client.force_login(seller)
    client.post(reverse("quotes:approval-request", args=[quote.pk]), {"approval_comment": "Konkurrent 20 % billigare"})
    approval = DiscountApproval.objects.get(quote=quote)
    assert approval.status == Status.PENDING and approval.comment == "Konkurrent 20 % billigare"
    tasks_run()
    request_mail = next(m for m in mail.outbox if "Rabatt att godkänna" in m.subject)
    assert sorted(request_mail.to) == sorted([manager.email, director.email])
    assert "Konkurrent 20 % billigare" in request_mail.body
    assert reverse("quotes:approval", args=[approval.pk]) in request_mail.body

    client.force_login(manager)
    queue = client.get(reverse("quotes:approvals")).content.decode()
    assert "Nordisk Logistik AB" in queue
    page = client.get(reverse("quotes:approval", args=[approval.pk])).content.decode().replace(NBSP, " ")
    assert "Konkurrent 20 % billigare" in page and "Avtalsvärde netto" in page
    assert "Uppstartshjälp med tekniker" in page and "−499 kr" in page  # the offer line by line
    client.post(reverse("quotes:approval-decide", args=[approval.pk]), {"decision": "approve", "comment": "OK, vinn den"})
    approval.refresh_from_db()
    assert approval.status == Status.APPROVED and approval.decided_by == manager
    tasks_run()
    decision_mail = next(m for m in mail.outbox if "Rabatten är godkänd" in m.subject)
    assert decision_mail.to == [seller.email] and "OK, vinn den" in decision_mail.body

    client.force_login(seller)
    summary = client.get(reverse("quotes:step", args=[quote.pk, "sammanstallning"])).content.decode()
    assert "Rabatten är godkänd" in summary and "OK, vinn den" in summary
    assert quote_sign(quote=quote, user=seller).status == Quote.Status.SENT
    kinds = list(QuoteEvent.objects.filter(quote=quote).values_list("kind", flat=True))
    assert kinds.index("approval_req") < kinds.index("approved") < kinds.index("signed")


def test_any_change_after_approval_needs_approval_again(seller, manager, price_list):
    quote = quote_with(seller, {"monthly_percent": "20"})
    approval = approval_request(quote=quote, user=seller, comment="Volym")
    approval_decide(approval=approval, user=manager, approve=True, comment="")
    assert quote_sign_problems(quote=quote) == []
    for change in ({"items": {**quote.items, "mobile_user": 26}}, {"contract_months": 24},
                   {"discounts": {"monthly_percent": "20.50"}}):
        changed = Quote.objects.get(pk=quote.pk)
        for name, value in change.items():
            setattr(changed, name, value)
        problems = " ".join(quote_sign_problems(quote=changed))
        assert "har ändrats sedan rabatten godkändes" in problems, change
    # The customer's details are not what was approved.
    renamed = Quote.objects.get(pk=quote.pk)
    renamed.contact_name = "Ny Kontakt"
    assert quote_sign_problems(quote=renamed) == []


def test_reject_needs_a_comment_and_the_seller_sees_it(client, seller, manager, price_list):
    quote = quote_with(seller, {"monthly_percent": "25"})
    approval = approval_request(quote=quote, user=seller, comment="Snälla")
    with pytest.raises(ApprovalError, match="Skriv varför"):
        approval_decide(approval=approval, user=manager, approve=False, comment=" ")
    approval_decide(approval=approval, user=manager, approve=False, comment="För mycket, max 15 %")
    client.force_login(seller)
    summary = client.get(reverse("quotes:step", args=[quote.pk, "sammanstallning"])).content.decode()
    assert "För mycket, max 15 %" in summary and "Rabatten avslogs" in summary
    assert "Skicka för godkännande" in summary  # may ask again


def test_a_request_needs_a_comment_and_nothing_is_stored_without(client, seller, manager, price_list):
    quote = quote_with(seller, {"monthly_percent": "25"})
    client.force_login(seller)
    response = client.post(reverse("quotes:approval-request", args=[quote.pk]), {"approval_comment": ""}, follow=True)
    assert "Skriv en kommentar" in response.content.decode()
    assert not DiscountApproval.objects.exists()


def test_the_quote_changed_after_the_request_cannot_be_approved(seller, manager, price_list):
    quote = quote_with(seller, {"monthly_percent": "25"})
    approval = approval_request(quote=quote, user=seller, comment="Volym")
    Quote.objects.filter(pk=quote.pk).update(discounts={"monthly_percent": "28.00"})
    with pytest.raises(ApprovalError, match="har ändrats sedan den skickades"):
        approval_decide(approval=approval, user=manager, approve=True, comment="")
    approval.refresh_from_db()
    assert approval.status == Status.PENDING


def test_a_new_request_replaces_the_open_one(seller, manager, price_list):
    quote = quote_with(seller, {"monthly_percent": "25"})
    first = approval_request(quote=quote, user=seller, comment="Volym")
    with pytest.raises(ApprovalError, match="väntar redan"):
        approval_request(quote=quote, user=seller, comment="Igen")
    Quote.objects.filter(pk=quote.pk).update(discounts={"monthly_percent": "22.00"})
    second = approval_request(quote=Quote.objects.get(pk=quote.pk), user=seller, comment="Lägre nu")
    first.refresh_from_db()
    assert first.status == Status.WITHDRAWN and second.status == Status.PENDING


def test_within_the_limit_there_is_nothing_to_request(seller, price_list):
    quote = quote_with(seller, {"monthly_percent": "5"})
    with pytest.raises(ApprovalError, match="ryms inom"):
        approval_request(quote=quote, user=seller, comment="?")


# --- Who may approve ------------------------------------------------------------------------


def test_who_may_approve(seller, other_seller, manager, director, admin_user, price_list):
    other_manager = manager_factory("olle", other_seller, team="Team Norr")
    quote = quote_with(seller, {"monthly_percent": "25"})
    approval = approval_request(quote=quote, user=seller, comment="Volym")
    assert may_approve(manager, approval)  # the seller's team, within 30 %
    assert may_approve(director, approval)
    assert not may_approve(other_manager, approval)  # not their team
    assert not may_approve(seller, approval)  # the owner
    assert not may_approve(other_seller, approval)  # a seller
    assert not may_approve(admin_user, approval)  # an admin without the role
    assert approvals_to_decide(manager) == [approval] and approvals_to_decide(other_manager) == []


def test_a_manager_approves_only_within_their_own_limit(seller, manager, director, price_list):
    quote = quote_with(seller, {"monthly_percent": "60"})
    approval = approval_request(quote=quote, user=seller, comment="Strategisk kund")
    assert not may_approve(manager, approval)
    assert may_approve(director, approval)
    with pytest.raises(ApprovalError):
        approval_decide(approval=approval, user=manager, approve=True, comment="")


def test_a_sales_manager_never_approves_their_own_quote(client, manager, director, price_list):
    Team.objects.filter(manager=manager).first().members.add(manager)  # even in their own team
    quote = quote_with(manager, {"monthly_percent": "40"})  # above the manager's 30 %
    approval = approval_request(quote=quote, user=manager, comment="Egen kund")
    assert not may_approve(manager, approval)
    client.force_login(manager)
    assert client.get(reverse("quotes:approval", args=[approval.pk])).status_code == 403
    response = client.post(reverse("quotes:approval-decide", args=[approval.pk]), {"decision": "approve"})
    assert response.status_code == 403
    approval.refresh_from_db()
    assert approval.status == Status.PENDING and not QuoteEvent.objects.filter(kind="approved").exists()
    assert approvals_to_decide(manager) == [] and approvals_to_decide(director) == [approval]


def test_a_manager_within_their_own_limit_signs_without_approval(manager, price_list, doc_env):
    quote = quote_with(manager, {"monthly_percent": "25"})
    assert quote_sign_problems(quote=quote) == []


def test_the_nav_links_the_queue_for_approvers_only(client, seller, manager):
    client.force_login(seller)
    assert "Godkännanden" not in client.get(reverse("quotes:list")).content.decode()
    assert client.get(reverse("quotes:approvals")).status_code == 403
    client.force_login(manager)
    assert "Godkännanden" in client.get(reverse("quotes:list")).content.decode()
    assert "Inga rabatter väntar på ditt beslut." in client.get(reverse("quotes:approvals")).content.decode()


def test_a_decided_request_cannot_be_decided_again(seller, manager, director, price_list):
    quote = quote_with(seller, {"monthly_percent": "25"})
    approval = approval_request(quote=quote, user=seller, comment="Volym")
    approval_decide(approval=approval, user=manager, approve=False, comment="Nej")
    with pytest.raises(ApprovalError, match="redan besvarad"):
        approval_decide(approval=approval, user=director, approve=True, comment="")


def test_in_english_an_approved_discount_reads_approved_not_accepted(client, seller, manager, price_list):
    """"Godkänd" is both an approved discount and an accepted offer; in English they differ."""
    quote = quote_with(seller, {"monthly_percent": "25"})
    approval = approval_request(quote=quote, user=seller, comment="Volym")
    approval_decide(approval=approval, user=manager, approve=True, comment="OK")
    client.force_login(manager)
    client.post("/i18n/setlang/", {"language": "en", "next": "/offerter/"})
    page = client.get(reverse("quotes:approval", args=[approval.pk])).content.decode()
    assert "Approved by" in page and "Accepted" not in page
    queue = client.get(reverse("quotes:approvals")).content.decode()
    assert " · Approved · " in queue


# --- A real race ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_the_same_moment_one_decision_lands(price_list, concurrent_sqlite_readers):
    """The sales manager approves while the director rejects, 10 times: one answer
    stands, the other is told the request is answered; one event, one e-mail queued."""
    import threading

    from django.db import connection

    for role, share, months in (("Säljare", "10", 1), ("Säljchef", "30", 3), ("Försäljningsdirektör", "100", 11)):
        DiscountLimit.objects.update_or_create(role=role, defaults={"max_share_percent": share, "max_free_months": months})
    seller = SellerFactory(username="sara")
    manager, director = manager_factory("maja", seller), director_factory()
    for trial in range(10):
        quote = quote_with(seller, {"monthly_percent": "25"})
        approval = approval_request(quote=quote, user=seller, comment=f"Försök {trial}")
        barrier = threading.Barrier(2, timeout=60)
        outcome = {}

        def decide(user, approve):
            try:
                barrier.wait()
                approval_decide(approval=approval, user=user, approve=approve, comment="Beslut")
                outcome[user.username] = "landed"
            except ApprovalError:
                outcome[user.username] = "refused"
            finally:
                connection.close()

        threads = [threading.Thread(target=decide, args=(manager, True)),
                   threading.Thread(target=decide, args=(director, False))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(outcome.values()) == ["landed", "refused"], (trial, outcome)
        approval.refresh_from_db()
        winner = manager if outcome["maja"] == "landed" else director
        assert approval.decided_by == winner
        assert approval.status == (Status.APPROVED if winner == manager else Status.REJECTED)
        assert quote.events.filter(kind__in=["approved", "rejected"]).count() == 1


# --- Alternatives and options -------------------------------------------------------------


def test_the_largest_share_of_any_choice_is_what_needs_approval(seller, manager, price_list):
    """Kronor weigh more on the smaller alternative: Premium (edited) is within 10 %, Bas
    is not, so the offer needs approval; changing an alternative after it needs it again."""
    bas = {"mobile_user": 10, "startup_help": 1}
    premium = {**bas, "teams_voice": 10}
    discounts = {"lines": {"startup_help": {"one_time_amount": "2499.00"}, "mobile_user": {"monthly_amount": "50.00"}}}
    quote = QuoteFactory(
        owner=seller, items=dict(premium), discounts=discounts, alternative_index=1,
        alternatives=[{"name": "Bas", "items": dict(bas), "manual_prices": {}},
                      {"name": "Premium", "items": dict(premium), "manual_prices": {}}],
    )
    assert share_of(quote) <= 10  # what the steps edit
    problems = " ".join(quote_sign_problems(quote=quote))
    assert "Rabatten är 12,4 % av avtalsvärdet enligt prislistan" in problems
    approval = approval_request(quote=quote, user=seller, comment="Två alternativ")
    approval_decide(approval=approval, user=manager, approve=True, comment="")
    assert quote_sign_problems(quote=quote) == []
    quote.alternatives = [{"name": "Bas", "items": {**bas, "mobile_user": 9}, "manual_prices": {}},
                          quote.alternatives[1]]
    assert "har ändrats sedan rabatten godkändes" in " ".join(quote_sign_problems(quote=quote))


def test_a_new_revision_keeps_the_negotiated_discounts_and_needs_approval_again(seller, manager, price_list, doc_env):
    """Revision B starts from A's discounts (nothing negotiated is lost); above the limit
    it is approved again, since B is a new offer."""
    from quotes.offer.services import quote_revise

    quote = quote_with(seller, {"monthly_percent": "20"})
    approval_decide(approval=approval_request(quote=quote, user=seller, comment="Volym"), user=manager,
                    approve=True, comment="")
    signed = quote_sign(quote=quote, user=seller)
    b = quote_revise(quote=signed, user=seller).quote
    assert b.revision == "B" and b.discounts == {"monthly_percent": "20"}
    assert "Skicka offerten för godkännande." in " ".join(quote_sign_problems(quote=b))


def test_a_signed_quote_is_neither_sent_for_approval_nor_decided(client, seller, manager, price_list, doc_env):
    quote = quote_with(seller, {"monthly_percent": "20"})
    approval = approval_request(quote=quote, user=seller, comment="Volym")
    DiscountLimit.objects.filter(role="Säljare").update(max_share_percent=100)  # signed within a new limit
    signed = quote_sign(quote=quote, user=seller)
    DiscountLimit.objects.filter(role="Säljare").update(max_share_percent=10)
    client.force_login(seller)
    client.post(reverse("quotes:approval-request", args=[signed.pk]), {"approval_comment": "Igen"})
    assert DiscountApproval.objects.filter(quote=signed).count() == 1
    client.force_login(manager)
    response = client.post(reverse("quotes:approval-decide", args=[approval.pk]), {"decision": "approve"}, follow=True)
    assert "Offerten är redan signerad: begäran kan inte längre besvaras." in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == Status.PENDING and approvals_to_decide(manager) == []  # not in the queue
    assert Quote.objects.get(pk=signed.pk).snapshot == signed.snapshot
