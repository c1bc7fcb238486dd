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
