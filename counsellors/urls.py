"""The counsellors' pages, mounted at /counsellor/."""

from django.urls import path

from . import views

app_name = "counsellors"

urlpatterns: list = [
    path("queue/", views.queue, name="queue"),
    path("queue/bulk/", views.queue_bulk, name="queue_bulk"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("desk/", views.desk, name="desk"),
    path("province/", views.province, name="province"),
    path("buyers/<int:pk>/translations/", views.buyer_translations, name="buyer_translations"),
    path(
        "queue/<int:pk>/buyer-translations/", views.match_buyer_translations, name="match_buyer_translations"
    ),
    path("verifications/", views.verification_queue, name="verifications"),
    path(
        "verifications/<int:pk>/verify/",
        views.verification_decide,
        {"decision": "verify"},
        name="verification_verify",
    ),
    path(
        "verifications/<int:pk>/refuse/",
        views.verification_decide,
        {"decision": "refuse"},
        name="verification_refuse",
    ),
    path("briefs/", views.brief_list, name="brief_list"),
    path("briefs/new/", views.brief_create, name="brief_create"),
    path("briefs/<int:pk>/", views.brief_detail, name="brief_detail"),
    path("briefs/<int:pk>/edit/", views.brief_edit, name="brief_edit"),
    path("briefs/<int:pk>/delete/", views.brief_delete, name="brief_delete"),
]
