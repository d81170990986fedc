"""The deals' API routes (included under /api/v1/ by portal.api.urls)."""

from django.urls import path

from portal.api.routers import SimpleRouter

from . import attachments, messages, quotes

router = SimpleRouter()
router.register("quotes", quotes.QuoteViewSet, basename="quote")

urlpatterns = [
    # Quotes
    path("matches/<int:match_id>/quotes/", quotes.MatchQuoteList.as_view(), name="match-quote-list"),
    path("requests/<int:request_id>/quotes/", quotes.RequestQuoteList.as_view(), name="request-quote-list"),
    *router.urls,
    # The conversation
    path("matches/<int:pk>/messages/", messages.MatchMessagesView.as_view(), name="match-messages"),
    path(
        "matches/<int:pk>/messages/read/",
        messages.MatchMessagesReadView.as_view(),
        name="match-messages-read",
    ),
    # The files of quotes and messages (token or session)
    path(
        "attachments/<str:token>/",
        attachments.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]
