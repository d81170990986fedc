"""Match pages (included at the site root)."""

from django.urls import path

from . import views

app_name = "matchmaking"

urlpatterns: list = [
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/forward/", views.match_forward, name="match_forward"),
    path("matches/<int:pk>/reject/", views.match_reject, name="match_reject"),
    path("matches/<int:pk>/respond/", views.match_respond, name="match_respond"),
    path("matches/<int:pk>/outcome/", views.match_outcome, name="match_outcome"),
    path("matches/<int:pk>/outcome/confirm/", views.match_confirm_outcome, name="match_outcome_confirm"),
    path("matches/<int:pk>/reassign/", views.match_reassign, name="match_reassign"),
    path("leads/", views.leads, name="leads"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/request/", views.request_introduction, name="request_introduction"),
    path("my/introductions/", views.my_introduction_requests, name="my_introduction_requests"),
    path("requests/<int:pk>/interest/", views.request_interest, name="request-interest"),
]
