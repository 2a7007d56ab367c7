"""The window on real MovieLens ratings (ml-latest-small from ../shared/data): a model sized for the data,
a held-out test split, the baseline line in the charts, and recommendations of movies many people rated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from conftest import TIMEOUT, wait_state

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-latest-small" / "ratings.csv"
pytestmark = pytest.mark.skipif(not REAL.exists(), reason="ml-latest-small is not in ../shared/data")


def test_opening_real_ratings_sets_up_a_real_model_and_a_test_split(qtbot, window):
    assert window.open_path(str(REAL))
    doc = window.doc
    assert doc.ratings.n_ratings == 100_836 and doc.model.centered and doc.model.hidden == (50,)
    assert doc.training.patience > 0 and doc.training.validation_fraction > 0
    assert 0.09 < doc.test_mask.mean() < 0.11                       # 10 % held out
    assert "set up for real data" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.sizes == (9724, 50, 9724),
                    timeout=TIMEOUT)
    # the baseline line shows before training, with the baseline's test RMSE
    history = window.snapshot.history
    assert 0.8 < history.baseline_test_rmse < 0.95
    window.model_panel.epochs.setValue(3)
    qtbot.mouseClick(window.model_panel.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.training_panel.play_action.isEnabled(), timeout=TIMEOUT)
    qtbot.mouseClick(window.training_panel.play_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, window, "finished")
    # the state arrives as an event, the numbers with the next frame's snapshot: wait for the snapshot to catch up
    qtbot.waitUntil(lambda: window.snapshot.state == "finished", timeout=TIMEOUT)
    charts = window.charts_panel
    charts.show_snapshot(window.snapshot)
    assert charts.baseline_line.isVisible()
    assert charts.baseline_line.value() == pytest.approx(window.snapshot.history.baseline_test_rmse)
    test_curve = window.snapshot.history.epoch_test_rmse
    assert len(test_curve) == 3 and test_curve[-1] < window.snapshot.history.baseline_test_rmse


def test_recommendations_on_real_data_are_movies_many_people_rated(qtbot, window):
    assert window.open_path(str(REAL))
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.sizes[0] == 9724, timeout=TIMEOUT)
    window.user_panel.show()
    window.controller.request_insight(0, 10, None)
    qtbot.waitUntil(lambda: window.user_panel.insight is not None, timeout=TIMEOUT)
    recs = window.user_panel.insight.recommendations
    assert len(recs) == 10 and all(r.n_ratings >= 10 for r in recs)
    counts = np.array([r.n_ratings for r in recs])
    assert counts.min() >= window.user_panel.insight.min_ratings
