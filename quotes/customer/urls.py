"""The customer's link: /offert/<token>/ (no log-in)."""

from django.urls import path

from . import views

app_name = "quote-customer"

urlpatterns = [
    path("<str:token>/", views.offer_view, name="offer"),
    path("<str:token>/pdf/", views.offer_pdf_view, name="pdf"),
    path("<str:token>/pdf/godkand/", views.accepted_pdf_view, name="accepted-pdf"),
    path("<str:token>/acceptera/", views.accept_view, name="accept"),
    path("<str:token>/avboj/", views.decline_view, name="decline"),
]
