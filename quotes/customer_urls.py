"""The customer's link: /offert/<token>/ (no log-in)."""

from django.urls import path

from . import customer_views

app_name = "quote-customer"

urlpatterns = [
    path("<str:token>/", customer_views.offer_view, name="offer"),
    path("<str:token>/pdf/", customer_views.offer_pdf_view, name="pdf"),
    path("<str:token>/pdf/godkand/", customer_views.accepted_pdf_view, name="accepted-pdf"),
    path("<str:token>/acceptera/", customer_views.accept_view, name="accept"),
    path("<str:token>/avboj/", customer_views.decline_view, name="decline"),
]
