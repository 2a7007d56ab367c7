"""Immutable records the trainer publishes: what any view draws comes from one of these.

Every array is a numpy copy the trainer makes and marks read-only, so a snapshot can be kept (the
history, undo) without anyone seeing it change; one that crossed the pipe from the trainer's process
arrives as writable copies (pickling does not keep the flag), which no view writes. This module needs no
torch. Weights are in the formula's
orientation: ``W_l[j, i]`` is the weight from unit ``i`` of layer ``l−1`` to unit ``j`` of layer ``l``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .protocol import State

#: an :class:`Insight` carries the codes of at most this many observations (an evenly spread sample)
MAX_CODE_ROWS = 20_000

MIN_RATINGS = 10
"""The fewest training ratings a movie needs to be recommended, on data sets with many ratings per movie.

An autoencoder reconstructs a movie that one or two people loved as loved by everyone: on MovieLens the
top-N would otherwise be obscure movies rated 5 stars once, all predicted at the top of the scale. Ten
ratings is the usual threshold for a mean rating to say something about a movie. The minimum actually
used when none is asked for is :func:`default_min_ratings`, which lowers it on small grids."""


def default_min_ratings(counts) -> int:
    """The minimum number of training ratings a recommended movie needs when none is asked for, from
    ``counts`` ``(n_movies,)``, each movie's number of training ratings::

        max(1, min(MIN_RATINGS, median(c), ceil(max(c) / 2)))    (c: the counts above 0)

    The median keeps at least half the movies someone rated eligible (a sparse set whose typical movie
    has 3 ratings leaves out only the movies rated once or twice); half the count of the most-rated movie
    keeps a dense hand-typed grid usable (5 users who rated nearly everything: a movie 4 of them rated is
    not obscure, though below the median of 5). MovieLens 100K and 1M (dozens of ratings or more for the
    median movie) and the 40 × 12 demo grid get :data:`MIN_RATINGS`."""
    c = np.asarray(counts)
    c = c[c > 0]
    if not len(c):
        return 1
    return max(1, min(MIN_RATINGS, int(np.median(c)), -(-int(c.max()) // 2)))


@dataclass(frozen=True)
class Recommendation:
    """One recommended movie: its index, the predicted rating clipped to the rating range, its number of
    training ratings, and ``clipped`` when the network predicts above the top of the range (ranking uses
    the unclipped prediction, so clipped ones still come in order)."""

    movie: int
    predicted: float
    n_ratings: int
    clipped: bool


def frozen(a) -> np.ndarray:
    """A read-only numpy copy of a torch tensor or an array (no torch import: views load this module
    before the engine)."""
    if hasattr(a, "detach"):
        a = a.detach().to("cpu").numpy()
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


def frozen_all(tensors) -> tuple[np.ndarray, ...]:
    return tuple(frozen(t) for t in tensors)


@dataclass(frozen=True)
class PhaseInfo:
    """One phase of training: ``"pretrain"`` (stacked: autoencoder of layer ``layer``), ``"rbm"`` (deep:
    RBM of layer ``layer``) or ``"finetune"`` (the whole network; the only phase of the plain types)."""

    kind: str
    layer: int
    index: int
    count: int
    epochs: int
    title: str


class InStars:
    """For records of network values with a ``scale`` ``s`` and an ``offset`` ``b`` (``(n,)`` in stars, or
    ``None`` without centring): a value ``v`` reads as the rating ``b + s·v``."""

    def as_rating(self, values: np.ndarray) -> np.ndarray:
        """Network values in stars: ``b + s·values`` (``s·values`` when ``offset`` is ``None``)."""
        return values * self.scale + (self.offset if self.offset is not None else 0.0)

    @property
    def in_stars(self) -> bool:
        """Values and ratings differ: ``s ≠ 1`` or a baseline lies between them."""
        return self.scale != 1 or self.offset is not None


@dataclass(frozen=True)
class Trace(InStars):
    """The seed's steps 2–6 for one observation (the display's source of truth).

    ``x`` is the clean input (ratings ÷ scale, or centred ``(r − b) ÷ scale``; 0 = not rated), ``x_in`` what entered the network (the
    corrupted copy when denoising), ``pre[l] = a_{l+1} = W_{l+1}·h_l + b_{l+1}`` and ``post[l] = h_{l+1}``
    (``post[-1] = y``), ``error = (y − x) ⊙ rated``, ``loss = 1/n Σ error²`` with ``n`` rated inputs,
    ``deltas[l] = ∂L/∂a_{l+1}`` (the error flowing back) and ``grad_w``/``grad_b`` this observation's
    gradient of its own loss.
    """

    observation: int
    label: str
    x: np.ndarray
    x_in: np.ndarray
    rated: np.ndarray
    pre: tuple[np.ndarray, ...]
    post: tuple[np.ndarray, ...]
    error: np.ndarray
    n_rated: int
    loss: float
    penalty: float
    deltas: tuple[np.ndarray, ...]
    grad_w: tuple[np.ndarray, ...] | None   # None in snapshots streamed at full speed
    grad_b: tuple[np.ndarray, ...] | None
    scale: float = 5.0
    #: centred inputs (``ModelSpec.centered``): the bias-only baseline's prediction ``b`` of each feature,
    #: in stars, so that ``x = (r − b)/s`` and a rating reads ``b + s·value``; ``None``: ``x = r/s``
    offset: np.ndarray | None = None


@dataclass(frozen=True)
class RBMTrace:
    """One observation's CD-k chain in an RBM: ``v0`` data, ``h0`` p(h|v0), ``h0_sample``, ``vk``
    p(v|h_{k−1}) (rated visibles only for the first RBM), ``hk`` p(h|vk)."""

    layer: int
    k: int
    v0: np.ndarray
    h0: np.ndarray
    h0_sample: np.ndarray
    vk: np.ndarray
    hk: np.ndarray
    rated: np.ndarray


@dataclass(frozen=True)
class History:
    """Per-epoch RMSE (in rating units) and per-update losses (thinned to a bounded length)."""

    epoch_train_rmse: np.ndarray = field(default_factory=lambda: np.zeros(0))
    epoch_test_rmse: np.ndarray = field(default_factory=lambda: np.zeros(0))
    epoch_val_rmse: np.ndarray = field(default_factory=lambda: np.zeros(0))
    epoch_phase: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    step_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    step_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: the bias-only baseline's RMSE on the test and validation ratings (NaN where there are none): the
    #: line an autoencoder has to get under
    baseline_test_rmse: float = float("nan")
    baseline_val_rmse: float = float("nan")


@dataclass(frozen=True)
class TimelinePoint:
    """A recorded moment of training (the end of an epoch, or the start) that can be shown again and
    trained on from: ``serial`` epochs in the history before it (all phases), ``phase`` index, ``epoch``
    epochs done in that phase, ``step`` updates made in all."""

    index: int
    serial: int
    phase: int
    epoch: int
    step: int
    label: str


@dataclass(frozen=True)
class Branch:
    """A future left behind: training went back to a timeline point after ``at_epoch`` recorded epochs
    and went on from there; ``history`` holds the abandoned curves (for the charts)."""

    at_epoch: int
    history: History


@dataclass(frozen=True)
class Event:
    """Something rare happened: ``kind`` is ``"epoch"``, ``"phase"``, ``"finished"``, ``"diverged"``,
    ``"stopped"`` or ``"paused"``; ``data`` holds the numbers (epoch metrics …). Defined here, beside
    the snapshots, because it crosses to the window, which must unpickle it without importing torch
    (a class in the trainer's module made the window's reader import torch on the first epoch: no
    message arrived for over a second)."""

    kind: str
    message: str
    data: dict


@dataclass(frozen=True)
class Snapshot:
    """The whole visible state of a trainer at one moment."""

    state: State
    message: str
    phase: PhaseInfo
    phases: tuple[PhaseInfo, ...]
    epoch: int                      # epochs completed in this phase
    step: int                       # updates made since the start, all phases
    position: int                   # observations done in the current epoch
    n_observations: int
    batch_size: int
    elapsed_s: float
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    weights: tuple[np.ndarray, ...]  # W_l, (n_l, n_{l−1})
    biases: tuple[np.ndarray, ...]   # b_l, (n_l,)
    grad_w: tuple[np.ndarray, ...] | None   # ∂L/∂W_l of the last update
    grad_b: tuple[np.ndarray, ...] | None
    update_w: tuple[np.ndarray, ...] | None  # ΔW_l of the last update
    update_b: tuple[np.ndarray, ...] | None
    trainable: tuple[bool, ...]      # per layer: changed by the current phase
    trace: Trace | None
    rbm: RBMTrace | None
    history: History
    observation_labels: tuple[str, ...] = ()
    feature_labels: tuple[str, ...] = ()
    item_based: bool = False         # observations are movies and features users
    input_scale: float = 5.0         # x = rating / input_scale
    timeline: tuple[TimelinePoint, ...] = ()
    viewing: int | None = None       # the timeline point shown instead of the present (None: the present)
    branches: tuple[Branch, ...] = ()


@dataclass(frozen=True)
class Insight:
    """What the network shown (the present, or a timeline point) says about the data.

    Observations are users (movies when ``item_based``); the user-side fields are in rating units and
    indexed by movie whatever the orientation.

    Attributes:
        step, epoch, viewing: the moment (as in :class:`Snapshot`).
        rows: ``(n,)`` the observations whose codes are given: all of them, or an evenly spread sample
            of at most ``MAX_CODE_ROWS`` on very large sets.
        codes: one ``(n, n_l)`` array per hidden layer ``l = 1 … L−1``: ``h_l`` of each observation's
            training input (``h_l = f(W_l·h_{l−1} + b_l)``, ``h_0 = x``).
        code_layer: index into ``codes`` of the bottleneck (the last encoder layer).
        mean_activation: per hidden layer, ``(n_l,)`` mean of ``h_l`` over *all* observations.
        dormant: per hidden layer, ``(n_l,) bool``: mean ``|h|`` below ``ρ/10`` (``ρ`` the sparsity
            target): switched off (a dead ReLU is never active; a tanh or identity unit stays at 0).
        user: the user these fields describe.
        user_ratings: ``(n_movies,)`` the user's training ratings (0 = not rated).
        user_test: ``(n_movies,)`` the user's held-out test ratings (0 = none).
        user_predictions: ``(n_movies,)`` predicted ratings ``s·y`` clipped to the rating range.
        recommendations: :class:`Recommendation` of the best unrated movies with at least
            ``min_ratings`` training ratings, best first.
        user_rmse: RMSE of ``user_predictions`` on the user's training ratings and on their held-out
            ones (NaN where there are none).
        min_ratings: the fewest training ratings a recommended movie has (the minimum applied).
        movie_ratings: ``(n_movies,)`` each movie's number of training ratings (``None``: not given).
    """

    step: int
    epoch: int
    viewing: int | None
    rows: np.ndarray
    codes: tuple[np.ndarray, ...]
    code_layer: int
    mean_activation: tuple[np.ndarray, ...]
    dormant: tuple[np.ndarray, ...]
    user: int
    user_ratings: np.ndarray
    user_test: np.ndarray
    user_predictions: np.ndarray
    recommendations: tuple[Recommendation, ...]
    item_based: bool = False
    user_rmse: tuple[float, float] = (float("nan"), float("nan"))
    min_ratings: int = 1
    movie_ratings: np.ndarray | None = None


@dataclass(frozen=True)
class Encoding:
    """A new user's pass through the trained network (no training): ``ratings`` ``(n_movies,)`` as typed
    (0 = not rated), ``codes`` one ``(n_l,)`` array per hidden layer, ``predictions`` ``(n_movies,)``
    clipped predicted ratings, ``recommendations`` the best unrated movies as in :class:`Insight` (among
    those with at least ``min_ratings`` training ratings)."""

    ratings: np.ndarray
    codes: tuple[np.ndarray, ...]
    code_layer: int
    predictions: np.ndarray
    recommendations: tuple[Recommendation, ...] = ()
    min_ratings: int = 1
