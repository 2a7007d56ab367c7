"""Draw times of the insight views on MovieLens-1M-sized arrays (``aegui bench ui`` prints the largest as
``insight_draw_ms_max``)."""

from __future__ import annotations

import statistics
import time

import numpy as np
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget

from ..core.data.demo import GENRES
from ..core.data.ratings import Ratings
from ..core.engine.protocol import State
from ..core.engine.snapshot import History, Insight, PhaseInfo, Snapshot
from .codes_panel import CodesPanel
from .latent_panel import LatentPanel
from .weights_panel import WeightsPanel

REPEATS = 5
#: movies of MovieLens 1M (the inputs of the weight matrix drawn)
N_MOVIES = 3706


def _ratings(n_users: int, n_movies: int, per_user: int = 20) -> Ratings:
    """``per_user`` distinct movies per user, genres cycling through :data:`GENRES`: cheap to build."""
    users = np.repeat(np.arange(n_users), per_user)
    movies = (users * 7 + np.tile(np.arange(per_user), n_users)) % n_movies
    values = 1 + (users + movies) % 5
    return Ratings.from_triples(users, movies, values, n_users=n_users, n_movies=n_movies, source="bench",
                                movie_groups=(np.arange(n_movies) % len(GENRES)).astype(np.int32),
                                group_names=GENRES)


def _insight(n_users: int, n_units: int, seed: int = 0) -> Insight:
    rng = np.random.default_rng(seed)
    codes = (1 / (1 + np.exp(-rng.normal(0, 2, (n_users, n_units)) - rng.normal(0, 2, n_units)))).astype(np.float32)
    mean = codes.mean(axis=0)
    return Insight(step=0, epoch=0, viewing=None, rows=np.arange(n_users), codes=(codes,), code_layer=0,
                   mean_activation=(mean,), dormant=(mean < 0.005,), user=0, user_ratings=np.zeros(N_MOVIES),
                   user_test=np.zeros(N_MOVIES), user_predictions=np.zeros(N_MOVIES), recommendations=())


def _median_ms(draw, widget: QWidget) -> float:
    """Median wall time of ``draw()`` followed by painting ``widget`` (its ``grab``)."""
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        draw()
        widget.grab()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def draw_times_ms(n_users: int = 6040, n_units: int = 500) -> dict[str, float]:
    """Milliseconds (median of :data:`REPEATS`) to draw and paint: ``heatmap_ms`` the codes heat map
    (``n_users × n_units``, sorted by an attribute), ``scatter_ms`` the latent scatter (PCA of the codes
    included, coloured by favourite genre), ``weights_ms`` an ``n_units × 3,706`` weight matrix with its
    histograms. Needs a ``QApplication``."""
    if QApplication.instance() is None:
        raise RuntimeError("draw_times_ms needs a QApplication")
    ratings, insight = _ratings(n_users, N_MOVIES), _insight(n_users, n_units)
    codes, latent, weights = CodesPanel(), LatentPanel(), WeightsPanel()
    for panel in (codes, latent, weights):
        panel.resize(1200, 800)
        panel.show()
    for panel in (codes, latent):
        panel.set_data(ratings, item_based=False)
    codes.sort_combo.setCurrentIndex(codes.sort_combo.findText("mean rating"))
    QApplication.processEvents()
    rng = np.random.default_rng(1)
    w1 = rng.normal(0, 0.05, (n_units, N_MOVIES)).astype(np.float32)
    w2 = rng.normal(0, 0.05, (N_MOVIES, n_units)).astype(np.float32)
    b1, b2 = np.zeros(n_units, np.float32), np.zeros(N_MOVIES, np.float32)
    phase = PhaseInfo("finetune", 0, 0, 1, 1, "training")
    snapshot = Snapshot(State.PAUSED, "", phase, (phase,), 0, 0, 0, n_users, 64, 0.0, (N_MOVIES, n_units, N_MOVIES),
                        ("sigmoid", "identity"), (w1, w2), (b1, b2), None, None, None, None,
                        (True, True), None, None, History())
    try:
        return {"heatmap_ms": _median_ms(lambda: codes.show_insight(insight), codes.graphics),
                "scatter_ms": _median_ms(lambda: latent.show_insight(insight), latent.graphics),
                "weights_ms": _median_ms(lambda: weights.show_snapshot(snapshot), weights.graphics)}
    finally:
        for panel in (codes, latent, weights):
            panel.close()
            panel.deleteLater()
        # deleted now: widgets left to the interpreter's exit crash PySide's clean-up of the application
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
