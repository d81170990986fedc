"""What accounts announces about its writes, for the apps above it to follow.

accounts sits low in the house (docs/design.md "Layout"): it may not import the matcher or the
catalogue's search to tell them a company changed. Its services send these signals instead,
inside the write's transaction, and the higher apps connect their receivers in their
`AppConfig.ready()` (as NetBox wires its search-cache signals and pretix its plug-in points).
A receiver that must wait for the commit (a task for the broker) defers itself with
`transaction.on_commit`; one that writes (an index) does so in the same transaction.

Arguments, both signals: `sender` the profile's model, `profile` the saved profile,
`created` whether it was just made, `changed` the fields written (a frozenset; None when
created, every field being new).
"""

from django.dispatch import Signal

producer_changed = Signal()
"""Sent by `accounts.services` when a producer profile was created or updated.

matchmaking rematches the producer when a field the matching reads changed; the catalogue
refreshes the search text of the producer's products when a field it indexes changed."""

buyer_changed = Signal()
"""Sent by `accounts.services` when a buyer profile was created or updated.

matchmaking rematches the buyer when a field the matching reads changed."""
