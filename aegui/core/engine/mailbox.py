"""A one-slot, latest-wins mailbox between the trainer's thread and whoever draws."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestMailbox(Generic[T]):
    """``put`` replaces whatever was waiting; ``take`` empties the slot. Thread-safe, never blocks long:
    a slow reader simply skips the states it had no time to draw."""

    def __init__(self):
        self._lock = threading.Lock()
        self._item: T | None = None

    def put(self, item: T) -> None:
        with self._lock:
            self._item = item

    def take(self) -> T | None:
        with self._lock:
            item, self._item = self._item, None
            return item
