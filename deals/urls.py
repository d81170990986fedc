"""The deals' pages (included at the site root)."""

from django.urls import path

from . import conversation_views

app_name = "deals"

urlpatterns: list = [
    path("matches/<int:pk>/conversation/", conversation_views.conversation, name="conversation"),
    path("messages/", conversation_views.inbox, name="inbox"),
    path("deals/attachments/<str:token>/", conversation_views.attachment, name="attachment"),
]
