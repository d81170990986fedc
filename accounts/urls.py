"""Pages for producers and buyers: onboarding and their profile.

Sign-up, sign-in and the other account pages are allauth's (under /accounts/); a
producer's product pages (/my/products/) are the catalogue's (catalogue/my_urls.py).
"""

from django.urls import path

from . import team_views, views

app_name = "accounts"

urlpatterns = [
    path("onboarding/", views.onboarding_start, name="onboarding"),
    path("onboarding/<slug:step>/", views.onboarding_step, name="onboarding_step"),
    path("my/profile/", views.profile_edit, name="profile"),
    path("my/verification/", views.verification, name="verification"),
    path("verifications/documents/<str:token>/", views.verification_document, name="verification_document"),
    path("my/profile/logo/", views.profile_logo, name="profile_logo"),
    path("my/team/", team_views.team, name="team"),
    path("my/team/leave/", team_views.team_leave, name="team-leave"),
    path("my/team/invitations/<int:pk>/revoke/", team_views.invitation_revoke, name="team-revoke"),
    path("my/team/members/<int:user_id>/remove/", team_views.member_remove, name="team-remove"),
    path("my/team/members/<int:user_id>/ownership/", team_views.ownership_transfer, name="team-transfer"),
    path("team/join/<slug:token>/", team_views.join, name="team-join"),
]
