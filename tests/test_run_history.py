"""The trainer's curves: thinning keeps every stride-th update, truncation, a saved round trip (numpy only)."""

from __future__ import annotations

import numpy as np
import pytest

from aegui.core.engine import run_history
from aegui.core.engine.run_history import RunHistory


def test_thinning_keeps_a_bounded_curve_of_every_stride_th_update(monkeypatch):
    monkeypatch.setattr(run_history, "STEP_HISTORY_CAP", 8)
    h = RunHistory()
    for step in range(1, 41):
        h.add_step(step, float(step) / 10)
    # a 9th point halves the list (every other one kept) and doubles the stride: 1..9 → 1 3 5 7 9,
    # + 10..16 → 1 5 9 12 16 (stride 4), + 20..32 → 1 9 16 24 32 (stride 8), + 40
    assert h.stride == 8 and h.step_index == [1, 9, 16, 24, 32, 40]
    assert h.step_loss == pytest.approx([0.1, 0.9, 1.6, 2.4, 3.2, 4.0])


def test_truncation_forgets_what_came_after_a_point():
    h = RunHistory()
    for epoch in range(4):
        h.add_epoch(1.0 - epoch / 10, float("nan"), 0.5, phase=epoch // 2)
    for step in range(1, 9):
        h.add_step(step, 1.0 / step)
    h.truncate(2, 5)
    assert len(h) == 2 and h.train == pytest.approx([1.0, 0.9]) and h.phase == [0, 0]
    assert h.step_index == [1, 2, 3, 4, 5]


def test_frozen_is_read_only_and_survives_a_save():
    h = RunHistory()
    h.add_epoch(1.25, 1.5, float("nan"), 0)
    h.add_step(1, 0.3)
    frozen = h.frozen(1.1, float("nan"))
    assert not frozen.epoch_train_rmse.flags.writeable and not frozen.step_loss.flags.writeable
    assert frozen.epoch_phase.dtype.kind == "i" and frozen.baseline_test_rmse == 1.1
    h.add_epoch(1.0, 1.2, float("nan"), 0)
    assert len(frozen.epoch_train_rmse) == 1          # a copy: later epochs do not show in it
    again = RunHistory.from_lists(h.as_lists())
    for key, values in h.as_lists().items():
        np.testing.assert_array_equal(again.as_lists()[key], values)
    np.testing.assert_array_equal(again.frozen(1.1, 0.0).epoch_test_rmse, [1.5, 1.2])
