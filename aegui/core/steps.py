"""The seed's training steps: their names and formulas, and what a new snapshot shows of them (numpy
only, no Qt).

A snapshot one observation after the previous one (a single step, or slow motion) is drawn as steps
2–8 in turn, :class:`Beat` by beat: 2 the input enters, 3–4 the layers left to right, 5 the error,
6 ``δ`` right to left, 7 the update, 8 the end of the epoch. :func:`plan` decides, from the previous
snapshot and the new one, which beats to walk and which weights the glow measures the change from;
:func:`pending`, :func:`flow_layer`, :func:`signal` and :func:`glow_shown` say what one beat
highlights; :func:`glowing` picks the edges that changed most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine.protocol import State
from .engine.snapshot import Snapshot, Trace
from .layout import Edges, edge_values
from .scene import trace_levels

#: (number, name, formula) of each of the seed's steps, shared by the Steps panel and the network view
STEPS = (
    ("1", "the ratings grid", "rows are users (observations), columns movies (features), 0 = not rated"),
    ("2", "a user enters", "x = (r₁ … r_m) ÷ s"),
    ("3", "encoding", "z = f(W₁·x + b₁)"),
    ("4", "decoding", "y = g(W₂·z + b₂)"),
    ("5", "the error", "L = 1/n Σ (xᵢ − yᵢ)² over the n rated movies"),
    ("6", "back-propagation", "δ = ∂L/∂a flows from the output back to the input"),
    ("7", "the update", "θ ← θ − η·(optimiser step) after each user (online) or each batch"),
    ("8", "the epoch ends", "all users have passed; the next epoch starts"),
)
#: the edges that glow for their change since the previous frame: at most this many, each changed by at
#: least this share of the largest change
GLOW_EDGES, GLOW_SHARE = 40, 0.5
#: the steps of a single step take this long; in slow motion this share of the time between observations
SINGLE_STEP_S, SLOW_MOTION_SHARE = 1.2, 0.8
#: shorter steps than this are not animated (one observation every 0.1 s, 0.03 s…): the view samples
MIN_BEAT_S = 0.025
#: errors and δ below this share of their layer's largest get no ring
SIGNAL_FLOOR = 0.05


def penalty_text(model, value: float) -> str:
    """The type's penalty term as its formula names it, with the engine's value for this observation:
    ``β·KL = …`` (sparse), ``λ‖J‖²_F = …`` (contractive); ``""`` for the types without one
    (``model`` is the :class:`ModelSpec` trained, ``None`` when unknown)."""
    kind = model.kind if model is not None else None
    if kind == "sparse":
        name = "β·KL" + (" + λ₁‖z‖₁" if model.l1_weight else "")
    elif kind == "contractive":
        name = "λ‖J‖²_F"
    elif value:
        name = "penalty"
    else:
        return ""
    return f"{name} = {value:.4g}"


@dataclass(frozen=True)
class Beat:
    """One moment of an observation's pass: the seed's ``step`` (2–8) and the trace ``level`` it is at
    (steps 2–4: the last level computed; 5: the output level; 6: the level whose ``δ`` is shown)."""

    step: int
    level: int = -1


def beats(levels: int, epoch_ended: bool) -> list[Beat]:
    """The sequence for a trace of ``levels`` levels (``last = levels − 1``): ``(2, 0)``, the levels
    ``t = 1 … last`` left to right (step 3 while ``2t ≤ last``, the encoder's half, else 4), ``(5,
    last)``, ``(6, t)`` for ``t = last … 1``, 7 and, when this observation ended the epoch, 8."""
    last = levels - 1
    out = [Beat(2, 0)] + [Beat(3 if 2 * t <= last else 4, t) for t in range(1, levels)] + [Beat(5, last)]
    out += [Beat(6, t) for t in range(last, 0, -1)] + [Beat(7)]
    return out + [Beat(8)] if epoch_ended else out


def moment(s: Snapshot) -> tuple:
    """Where training stands: two snapshots of one moment differ only in what they show of it."""
    return s.phase.index, s.epoch, s.step, s.position, s.viewing


def one_observation_later(prev: Snapshot, s: Snapshot) -> bool:
    """Whether ``s`` is ``prev`` plus one observation (a single step, or one in slow motion): an epoch
    that ended left the cursor at its end, which the next observation restarts from."""
    start = prev.position if prev.position < prev.n_observations else 0
    return s.trace is not None and s.position - start == 1 and s.step >= prev.step and s.viewing is None


@dataclass(frozen=True)
class Plan:
    """What a new snapshot does to the step animation.

    ``again``: the same :func:`moment` sent again (the beats being walked go on). ``base``: the glow's
    reference weights: ``"none"`` (a new network, another moment of the history, or back in time),
    ``"previous"`` (the previous snapshot's) or ``"keep"`` (the same moment, the drawn weights
    unchanged). ``beats``: the beats to walk over ``duration_s`` seconds (none: the whole pass at
    once); ``updated``: the observation brought an update; ``ended``: ``(epoch, of)`` the epoch it ended."""

    again: bool
    base: str
    beats: tuple[Beat, ...] = ()
    duration_s: float = 0.0
    updated: bool = False
    ended: tuple[int, int] = (0, 0)

    @property
    def beat_ms(self) -> int:
        """Milliseconds from one beat to the next, ``round(1000 · duration_s / len(beats))``."""
        return round(1000 * self.duration_s / len(self.beats)) if self.beats else 0


def plan(prev: Snapshot | None, s: Snapshot, drawn: Edges, interval: float) -> Plan:
    """The :class:`Plan` for ``s`` after ``prev`` (``None``: the first), ``drawn`` the edges drawn for
    ``s``, ``interval`` the seconds between observations while training. One observation later, the
    beats share :data:`SINGLE_STEP_S` (or, running, ``SLOW_MOTION_SHARE · interval``), if each gets at
    least :data:`MIN_BEAT_S`."""
    again = prev is not None and moment(prev) == moment(s)
    if prev is None or [w.shape for w in prev.weights] != [w.shape for w in s.weights] \
            or prev.viewing != s.viewing or s.step < prev.step:
        base = "none"
    elif again and np.array_equal(edge_values(prev.weights, prev.biases, drawn), drawn.w):
        base = "keep"
    else:
        base = "previous"
    if again or prev is None:
        return Plan(again, base)
    levels = len(trace_levels(s)[0])
    if not levels or not one_observation_later(prev, s):
        return Plan(again, base)
    walk = beats(levels, (prev.phase.index, prev.epoch) != (s.phase.index, s.epoch))
    duration = SLOW_MOTION_SHARE * interval if s.state == State.RUNNING else SINGLE_STEP_S
    if duration / len(walk) < MIN_BEAT_S:
        return Plan(again, base)
    return Plan(again, base, tuple(walk), duration, s.step > prev.step,
                (prev.epoch + 1, prev.phase.epochs))


def pending(levels: list[list[int]], beat: Beat | None) -> set[int]:
    """The columns the pass has not reached at ``beat`` (``levels``: per trace level its columns):
    those of levels past ``beat.level`` at steps 2–4, none otherwise."""
    if beat is None or beat.step > 4:
        return set()
    return {c for t, cs in enumerate(levels) if t > beat.level for c in cs}


def flow_layer(level_layers: list[int], beat: Beat | None) -> int | None:
    """The network layer whose edges are at work at ``beat``: the one computing its level (steps 3–4)
    or back-propagated through (6); ``None`` at the other steps."""
    if beat is None or beat.step not in (3, 4, 6):
        return None
    return level_layers[beat.level - 1]


def signal(tr: Trace, levels: list[list[int]], beat: Beat | None) -> tuple[np.ndarray, list[int]] | None:
    """What gets rings at ``beat``: step 5 the error ``e = y − x`` on the output level, step 6 ``δ``
    of the level reached, each divided by its largest ``|value|``, and the columns it is on; ``None``
    at the other steps or when every value is 0."""
    if beat is None or beat.step not in (5, 6):
        return None
    values = tr.error if beat.step == 5 else tr.deltas[beat.level - 1]
    top = float(np.abs(values).max())
    return (values / top, levels[beat.level]) if top > 0 else None


def glow_shown(beat: Beat | None, state: str) -> bool:
    """The glow is drawn from step 7 on, or without steps while training runs (weights changing as
    one watches)."""
    return beat.step >= 7 if beat is not None else state == State.RUNNING


def glowing(change: np.ndarray) -> np.ndarray:
    """Indices of the edges that glow for their ``change``: the :data:`GLOW_EDGES` largest ``|change|``,
    only those at least :data:`GLOW_SHARE` of the largest (none when nothing changed)."""
    size = np.abs(change)
    top = float(size.max()) if len(size) else 0.0
    if top == 0:
        return np.zeros(0, dtype=np.intp)
    k = np.flatnonzero(size >= GLOW_SHARE * top)
    return k if len(k) <= GLOW_EDGES else k[np.argpartition(-size[k], GLOW_EDGES - 1)[:GLOW_EDGES]]
