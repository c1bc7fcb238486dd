"""The seller's page says where the offer's e-mail is, in Chromium: on its way after
signing; when the mail server fails, that it has not gone through and when the next
attempt runs, with each failure in "Händelser"; after "Skicka igen", sent. The task
queue's worker runs between the steps (``tests.queue_support.tasks_run``)."""

import os
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from playwright.sync_api import expect

from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import QuoteFactory
from tests.queue_support import tasks_run

from .conftest import sign_in

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    """A screenshot to look at, when SCREENSHOT_DIR is set."""
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_seller_sees_where_the_offers_e_mail_is(new_page, price_list, seller, doc_env, live_server, monkeypatch, width):
    doc_env.SITE_URL = live_server.url
    doc_env.TASK_RETRY_DELAYS = [600]
    quote = QuoteFactory(owner=seller, price_list=price_list, current_step="sammanstallning")
    page = new_page(width=width)
    sign_in(page, "sara")
    page.goto(f"/offerter/{quote.pk}/steg/sammanstallning/")
    page.get_by_role("button", name="Signera och skicka").click()
    expect(page.get_by_text(re.compile(r"är signerad\. E-postmeddelandet till erik\.lind@\S+ är på väg\."))).to_be_visible()
    box = page.get_by_role("status").filter(has_text="E-postmeddelandet är på väg")
    expect(box).to_contain_text("Offerten skickas till erik.lind@nordisklogistik.se inom kort.")

    original_send = EmailMessage.send

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMessage, "send", refused)
    tasks_run()  # the first attempt fails; the next one waits ten minutes
    page.reload()
    box = page.get_by_role("status").filter(has_text="E-postmeddelandet har inte gått fram än")
    expect(box).to_contain_text(re.compile(r"Nytt försök kl\. \d\d:\d\d\."))
    page.get_by_text("Händelser", exact=True).click()
    expect(page.get_by_text(re.compile(r"E-post misslyckades, nytt försök · automatiskt · Offerten till "
                                       r"erik\.lind@nordisklogistik\.se: SMTPServerDisconnected"))).to_be_visible()
    shot(page, f"mail-retrying-{width}")

    monkeypatch.setattr(EmailMessage, "send", original_send)  # the mail server is back
    page.get_by_role("button", name="Skicka igen").click()
    expect(page.get_by_text("E-postmeddelandet till erik.lind@nordisklogistik.se är på väg.")).to_be_visible()
    tasks_run()
    page.reload()
    expect(page.get_by_role("status").filter(has_text="E-postmeddelandet")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d till erik\.lind@nordisklogistik\.se$"))).to_be_visible()
    assert len(mail.outbox) == 1
    shot(page, f"mail-sent-{width}")
