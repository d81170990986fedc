"""What the deals plug into the apps below them, installed by `DealsConfig.ready()`."""

from django.db.models.signals import post_delete

from matchmaking.pages import register_match_page_section
from portal.request_guard import register_upload_route

from . import attachments, conversation_views, quote_views
from .models import Attachment


def install() -> None:
    # The match page shows the match's quotes, the producer's form and the buyer's decisions,
    # then the conversation's box.
    register_match_page_section("deals.quotes", "deals/quotes/match_section.html", quote_views.match_section)
    register_match_page_section(
        "deals.conversation", "deals/conversation/section.html", conversation_views.match_page_section
    )
    # The paths that take files get a body cap that fits their files (portal/request_guard.py).
    register_upload_route(r"^/matches/[0-9]+/conversation/$", attachments.upload_cap)
    register_upload_route(r"^/api/v1/matches/[0-9]+/messages/$", attachments.upload_cap)
    register_upload_route(r"^/matches/[0-9]+/quotes/new/$", attachments.upload_cap)
    register_upload_route(r"^/api/v1/matches/[0-9]+/quotes/$", attachments.upload_cap)
    # A deleted attachment's file goes with it.
    post_delete.connect(
        attachments.delete_stored_file, sender=Attachment, dispatch_uid="deals.attachment_file"
    )
