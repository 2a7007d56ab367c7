"""The curves of one run as the trainer grows them: per-epoch RMSE and per-update losses (numpy only).

Epoch ``e`` (all phases counted, in order) has ``train[e]``, ``test[e]``, ``val[e]`` (RMSE in rating
units; NaN where not measured) and ``phase[e]``. Update losses are kept every ``stride``-th update; when
more than :data:`STEP_HISTORY_CAP` are kept, every other one is dropped and ``stride`` doubles, so the
curve stays bounded over any number of updates. :meth:`RunHistory.frozen` gives the read-only
:class:`~.snapshot.History` that snapshots carry.
"""

from __future__ import annotations

import numpy as np

from .snapshot import History

#: step losses kept in the history before older points are thinned (every other one dropped)
STEP_HISTORY_CAP = 20_000

def _read_only(values: list, dtype) -> np.ndarray:
    """One copy of ``values`` as an array, marked read-only."""
    out = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out


class RunHistory:
    """Growing lists of the epoch metrics and the (thinned) update losses; see the module docstring."""

    def __init__(self) -> None:
        self.train: list[float] = []
        self.test: list[float] = []
        self.val: list[float] = []
        self.phase: list[int] = []
        self.step_index: list[int] = []
        self.step_loss: list[float] = []
        self.stride = 1

    def __len__(self) -> int:
        """Epochs recorded, all phases."""
        return len(self.train)

    def add_epoch(self, train: float, test: float, val: float, phase: int) -> None:
        self.train.append(train)
        self.test.append(test)
        self.val.append(val)
        self.phase.append(phase)

    def add_step(self, step: int, loss: float) -> None:
        """Keep update ``step``'s loss if it falls on the stride; thin when over the cap."""
        if step % self.stride:
            return
        self.step_index.append(step)
        self.step_loss.append(loss)
        if len(self.step_loss) > STEP_HISTORY_CAP:
            self.step_index = self.step_index[::2]
            self.step_loss = self.step_loss[::2]
            self.stride *= 2

    def truncate(self, epochs: int, step: int) -> None:
        """Forget what came after ``epochs`` recorded epochs and update ``step``."""
        self.train, self.test, self.val, self.phase = (
            self.train[:epochs], self.test[:epochs], self.val[:epochs], self.phase[:epochs])
        keep = sum(1 for k in self.step_index if k <= step)
        self.step_index, self.step_loss = self.step_index[:keep], self.step_loss[:keep]

    def frozen(self, baseline_test_rmse: float, baseline_val_rmse: float) -> History:
        return History(_read_only(self.train, float), _read_only(self.test, float), _read_only(self.val, float),
                       _read_only(self.phase, int), _read_only(self.step_index, int),
                       _read_only(self.step_loss, float), baseline_test_rmse, baseline_val_rmse)

    def as_lists(self) -> dict[str, list]:
        """JSON-friendly copies (what a saved session holds)."""
        return {"epoch_train_rmse": list(self.train), "epoch_test_rmse": list(self.test),
                "epoch_val_rmse": list(self.val), "epoch_phase": list(self.phase),
                "step_index": list(self.step_index), "step_loss": list(self.step_loss),
                "step_stride": [self.stride]}

    @classmethod
    def from_lists(cls, lists: dict[str, list]) -> "RunHistory":
        """The inverse of :meth:`as_lists` (missing keys: empty)."""
        out = cls()
        out.train, out.test, out.val = ([float(v) for v in lists.get(key, [])] for key in ("epoch_train_rmse", "epoch_test_rmse", "epoch_val_rmse"))
        out.phase = [int(v) for v in lists.get("epoch_phase", [])]
        out.step_index = [int(v) for v in lists.get("step_index", [])]
        out.step_loss = [float(v) for v in lists.get("step_loss", [])]
        out.stride = int((lists.get("step_stride") or [1])[0])
        return out
