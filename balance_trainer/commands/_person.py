"""Shared wiring for commands that store into a person's records."""

from __future__ import annotations

import os
from typing import Any


def open_person_store(data_dir: str | os.PathLike[str] | None, pid: str) -> tuple[Any, Any]:
    """``(store, person)`` for ``pid``; call it before opening the board, so an unknown id
    fails at once. The store is closed again when the person is unknown."""
    from ..store import Store

    store = Store.open(data_dir)
    try:
        return store, store.get_person(pid)
    except BaseException:
        store.close()
        raise
