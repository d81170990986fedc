"""What the deals plug into the apps below them, installed by `DealsConfig.ready()`."""

from matchmaking.pages import register_match_page_section

from . import quote_views


def install() -> None:
    # The match page shows the match's quotes, the producer's form and the buyer's decisions.
    register_match_page_section("deals.quotes", "deals/quotes/match_section.html", quote_views.match_section)
