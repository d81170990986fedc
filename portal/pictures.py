"""Storing pictures and documents already checked by `portal.uploads`: under random names on
their storage, and deleted once nothing refers to them any more (after the commit).

Shared by the apps that keep public pictures (accounts: company logos; catalogue: product
photos and catalogues), so each writes and deletes its files the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from .uploads import random_name

logger = logging.getLogger(__name__)


def save_file(fieldfile, checked) -> None:
    """Write `checked` (a CheckedFile or CheckedImage) to `fieldfile`'s storage under a random
    name with its real type's extension (`portal.uploads.random_name`); the row is saved by the
    caller."""
    fieldfile.save(random_name(checked), checked.content_file(), save=False)


def delete_now(storage, names: Iterable[str]) -> None:
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # a file already gone or a storage hiccup must not fail the request
            logger.warning("Could not delete the stored file %s", name, exc_info=True)


def delete_after_commit(storage, names: Iterable[str]) -> None:
    """Delete the files `names` once the current transaction commits (at once outside one);
    a rolled-back transaction keeps them (its rows still refer to them)."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: delete_now(storage, names))
