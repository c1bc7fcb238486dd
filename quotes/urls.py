from django.urls import path

from . import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("ny/", views.quote_new, name="create"),
    path("<int:pk>/", views.quote_detail, name="detail"),
    path("<int:pk>/steg/<slug:step>/", views.quote_step, name="step"),
    path("<int:pk>/steg/<slug:step>/berakna/", views.quote_recalculate, name="recalculate"),
]

# The quote as a document: sign and send, send again, new revision / reissue, stored PDFs.
from . import document_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/signera/", document_views.quote_sign_view, name="sign"),
    path("<int:pk>/skicka/", document_views.quote_send_view, name="send"),
    path("<int:pk>/ny-revision/", document_views.quote_revise_view, name="revise"),
    path("<int:pk>/pdf/", document_views.quote_pdf_view, name="pdf"),
    path("<int:pk>/pdf/godkand/", document_views.quote_accepted_pdf_view, name="accepted-pdf"),
]
