"""When to ask the trainer for a fresh :class:`~aegui.core.engine.snapshot.Insight` (a user's predictions,
the codes, the latent space): the window's request policy, without Qt, driven by a clock that tests fake.

An insight holds the trainer for its computation (on MovieLens 1M with 500 units about 0.3 s), so while
training one is asked at most every :data:`INSIGHT_INTERVAL_S`, and never more often than every
:data:`INSIGHT_COST_RATIO` × the last one's round trip; never two at a time, unless one goes unanswered
for :data:`INSIGHT_TIMEOUT_S`.
"""

from __future__ import annotations

import time
from typing import Callable, Hashable

INSIGHT_INTERVAL_S = 1.0
INSIGHT_COST_RATIO = 10
#: an insight request not answered in this time is asked again
INSIGHT_TIMEOUT_S = 10.0


class InsightPolicy:
    """``due(...)`` says whether to ask now (and then counts the request as sent); ``answered()`` when
    the insight comes back; ``new_model()`` when a new trainer is built (earlier insights are void)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, interval_s: float = INSIGHT_INTERVAL_S,
                 cost_ratio: float = INSIGHT_COST_RATIO, timeout_s: float = INSIGHT_TIMEOUT_S):
        self.clock, self.interval_s, self.cost_ratio, self.timeout_s = clock, interval_s, cost_ratio, timeout_s
        self.models = 0                 # trainers built so far: part of every key
        self.key = None                 # what the last request was for
        self.asked_at = -1e9
        self.pending = False
        self.trip = 0.0                 # seconds the last insight took to come back

    def new_model(self) -> None:
        self.models += 1
        self.pending = False

    def due(self, running: bool, step: int, epochs: int, epochs_only: bool, shown: Hashable) -> bool:
        """``True`` when an insight should be asked now for ``shown`` (what the views show: the viewed
        point, the user, their options) at training ``step`` (or, when ``epochs_only`` while running, at
        the count of finished ``epochs``: enough for the network view's dormant marks); at once when not
        ``running``, else rate-limited as the module says."""
        moment = epochs if running and epochs_only else step
        key = (self.models, moment, shown)
        now = self.clock()
        if key == self.key or (self.pending and now - self.asked_at < self.timeout_s):
            return False
        if running and now - self.asked_at < max(self.interval_s, self.cost_ratio * self.trip):
            return False
        self.key, self.asked_at, self.pending = key, now, True
        return True

    def answered(self) -> None:
        self.pending = False
        self.trip = self.clock() - self.asked_at
