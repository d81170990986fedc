"""The deals' pages (included at the site root)."""

from django.urls import path

from . import conversation_views, quote_views

app_name = "deals"

urlpatterns: list = [
    # Quotes
    path("matches/<int:pk>/quotes/new/", quote_views.quote_create, name="quote-create"),
    path("quotes/<int:pk>/accept/", quote_views.quote_accept, name="quote-accept"),
    path("quotes/<int:pk>/decline/", quote_views.quote_decline, name="quote-decline"),
    path("quotes/<int:pk>/withdraw/", quote_views.quote_withdraw, name="quote-withdraw"),
    path("requests/<int:pk>/quotes/", quote_views.request_quotes, name="request-quotes"),
    # The conversation
    path("matches/<int:pk>/conversation/", conversation_views.conversation, name="conversation"),
    path("messages/", conversation_views.inbox, name="inbox"),
    path("deals/attachments/<str:token>/", conversation_views.attachment, name="attachment"),
]
