"""The seller's URLs: the step form over a draft (quotes.draft) and the offer with its
document actions (quotes.offer). The customer's link is quotes.customer.urls."""

from django.urls import path

from .approval import views as approval
from .draft import views as draft
from .offer import views as offer
from .overview import views as overview

app_name = "quotes"

urlpatterns = [
    path("", draft.quote_list, name="list"),
    path("ny/", draft.quote_new, name="create"),
    path("mallar/", draft.template_list, name="templates"),
    path("mallar/<int:template_pk>/ny-offert/", draft.quote_new_from_template, name="create-from-template"),
    path("mallar/<int:template_pk>/byt-namn/", draft.template_rename, name="template-rename"),
    path("mallar/<int:template_pk>/ta-bort/", draft.template_delete, name="template-delete"),
    path("oversikt/", overview.overview_seller, name="overview"),
    path("oversikt/team/", overview.overview_team, name="overview-team"),
    path("exportera.csv", overview.quote_export_csv, name="export-csv"),
    path("exportera.xlsx", overview.quote_export_xlsx, name="export-xlsx"),
    path("godkannanden/", approval.approval_queue, name="approvals"),
    path("godkannanden/<int:pk>/", approval.approval_detail, name="approval"),
    path("godkannanden/<int:pk>/beslut/", approval.approval_decide_view, name="approval-decide"),
    path("<int:pk>/godkannande/", approval.approval_request_view, name="approval-request"),
    path("<int:pk>/steg/<slug:step>/", draft.quote_step, name="step"),
    path("<int:pk>/steg/<slug:step>/berakna/", draft.quote_recalculate, name="recalculate"),
    path("<int:pk>/", offer.quote_detail, name="detail"),
    path("<int:pk>/kopiera/", draft.quote_copy_view, name="copy"),
    path("<int:pk>/spara-som-mall/", draft.quote_template_save_view, name="save-template"),
    path("<int:pk>/arkivera/", draft.quote_archive_view, name="archive"),
    path("<int:pk>/aterstall/", draft.quote_restore_view, name="restore"),
    path("<int:pk>/ta-bort/", draft.quote_delete_view, name="delete"),
    path("<int:pk>/signera/", offer.quote_sign_view, name="sign"),
    path("<int:pk>/skicka/", offer.quote_send_view, name="send"),
    path("<int:pk>/ny-revision/", offer.quote_revise_view, name="revise"),
    path("<int:pk>/pdf/", offer.quote_pdf_view, name="pdf"),
    path("<int:pk>/pdf/godkand/", offer.quote_accepted_pdf_view, name="accepted-pdf"),
    path("<int:pk>/leveransorder.json", offer.delivery_order_json_view, name="delivery-order-json"),
    path("<int:pk>/leveransorder.xlsx", offer.delivery_order_xlsx_view, name="delivery-order-xlsx"),
]
