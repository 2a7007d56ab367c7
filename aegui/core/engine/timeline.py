"""Training history as checkpoints: the weights ``θ`` at the start and after epochs, thinned to a bounded count.

A checkpoint is offered after every epoch with its *serial*, the number of epochs recorded in the history
so far (0 for the start). Only serials that are multiples of the current ``stride`` are kept; when more
than ``cap`` points are held the stride doubles and every point off the new stride is dropped, so the
points stay evenly spread over the whole run (the start is always kept). ``cap`` is
:data:`MAX_POINTS`, lowered so that the points together stay under :data:`BUDGET_BYTES`, but never below
:data:`MIN_POINTS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .snapshot import TimelinePoint

#: at most this many checkpoints are held
MAX_POINTS = 64
#: and together they hold at most this many bytes of weights (a 3706-500-3706 network keeps 17 points)
BUDGET_BYTES = 256 << 20
#: but never fewer points than this
MIN_POINTS = 4


@dataclass(frozen=True)
class Checkpoint:
    """``θ`` after ``serial`` recorded epochs: ``phase`` index, ``epoch`` in that phase, ``step`` updates,
    ``elapsed`` training seconds."""

    serial: int
    phase: int
    epoch: int
    step: int
    elapsed: float
    params: torch.Tensor
    label: str


class Timeline:
    """The checkpoints of one training run (see the module docstring)."""

    def __init__(self, n_params: int, bytes_per_param: int = 4):
        per_point = max(1, n_params * bytes_per_param)
        self.cap = max(MIN_POINTS, min(MAX_POINTS, BUDGET_BYTES // per_point))
        self.stride = 1
        self.points: list[Checkpoint] = []

    def wants(self, serial: int) -> bool:
        return serial % self.stride == 0

    def record(self, point: Checkpoint) -> None:
        """Keep ``point`` (the caller asked :meth:`wants` first), thinning when over the cap."""
        self.points.append(point)
        while len(self.points) > self.cap:
            self.stride *= 2
            self.points = [p for p in self.points if p.serial % self.stride == 0]

    def truncate(self, index: int) -> None:
        """Forget the points after ``index`` (training went back there)."""
        del self.points[index + 1:]

    def clear(self) -> None:
        self.points.clear()
        self.stride = 1

    def describe(self) -> tuple[TimelinePoint, ...]:
        return tuple(TimelinePoint(k, p.serial, p.phase, p.epoch, p.step, p.label) for k, p in enumerate(self.points))
