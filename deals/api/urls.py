"""The deals' API routes (included under /api/v1/ by portal.api.urls)."""

from django.urls import path, re_path

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
    # Only what a token looks like reaches the view: anything else is no such path (404),
    # signed in or not.
    re_path(
        r"^attachments/(?P<token>[A-Za-z0-9_-]{16,64})/$",
        attachments.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]
