"""What the window and the training processes say to each other: a :class:`State` enum, and one frozen
dataclass per message. Only these cross the pipes (with the application's own values inside them);
files never do, so sessions on disk stay pickle-free (:mod:`aegui.core.session`).

The trainer's process (:mod:`.remote`)
    parent → child: :class:`Command` s. Those with ``queued = True`` (build, adopt, run, step, set
    training, set a parameter, view, branch) run in order on the child's main thread; the others are
    handled at once by its listener thread (pause, stop, display, speed, …), through thread-safe flags
    on the trainer; the queries (session, insight, encode, export) wait for the trainer's lock, at most
    one update.
    child → parent: :class:`Built`, :class:`SnapshotReady` (or :class:`SnapshotShared`, weights waiting
    in shared memory: :mod:`.shared_weights`), :class:`EventHappened`, :class:`StateChanged`,
    :class:`Failed`, :class:`SessionReady`, :class:`InsightReady`, :class:`Encoded`, :class:`Exported`.

A comparison's process (:mod:`.compare`)
    child → parent: :class:`EpochDone` after each fine-tuning epoch, :class:`RunDone` after each run (a
    stopped one too), then :class:`Finished`, or :class:`Failed`. The parent stops it with an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar


class State(str, Enum):
    """Where a trainer is. A ``str``, so that it is saved in sessions and printed as its value."""

    NONE = "none"             # the window has no trainer yet
    READY = "ready"           # built, nothing trained
    RUNNING = "running"
    PAUSED = "paused"         # stopped in the middle, can go on
    FINISHED = "finished"     # every epoch done, or stopped early (best weights kept)
    STOPPED = "stopped"       # stopped by the user for good
    DIVERGED = "diverged"     # the loss blew up: the last good weights are back
    VIEWING = "viewing"       # a past point of the timeline is shown

    def __str__(self) -> str:
        return self.value


#: states in which a run has ended and Play starts nothing new
ENDED = frozenset({State.FINISHED, State.DIVERGED})


# ====================================================================== parent → trainer's child
@dataclass(frozen=True)
class Command:
    """A message to the trainer's process."""

    queued: ClassVar[bool] = False


@dataclass(frozen=True)
class Build(Command):
    """A new trainer on ``train`` (``test`` held out); ``keep_weights`` continues from the present
    network when the shapes allow; ``weights`` (a state dict) starts from given ones."""

    queued: ClassVar[bool] = True
    train: Any
    test: Any
    model: Any
    training: Any
    keep_weights: bool = False
    weights: Any = None


@dataclass(frozen=True)
class Adopt(Command):
    """A trainer restored from a :class:`~aegui.core.session.Session`."""

    queued: ClassVar[bool] = True
    session: Any


@dataclass(frozen=True)
class Run(Command):
    queued: ClassVar[bool] = True


@dataclass(frozen=True)
class Step(Command):
    """One ``unit``: ``"observation"``, ``"batch"`` or ``"epoch"``."""

    queued: ClassVar[bool] = True
    unit: str


@dataclass(frozen=True)
class SetTraining(Command):
    queued: ClassVar[bool] = True
    training: Any


@dataclass(frozen=True)
class SetParameter(Command):
    """``W_layer[row, col]`` (kind ``"weight"``) or ``b_layer[row]`` (``"bias"``) set to ``value``."""

    queued: ClassVar[bool] = True
    layer: int
    kind: str
    row: int
    col: int
    value: float


@dataclass(frozen=True)
class View(Command):
    """Show timeline point ``index`` (``None``: the present)."""

    queued: ClassVar[bool] = True
    index: int | None


@dataclass(frozen=True)
class Branch(Command):
    """Go back to timeline point ``index`` and train on from there."""

    queued: ClassVar[bool] = True
    index: int


@dataclass(frozen=True)
class Pause(Command):
    """Pause (and cancel a Run still waiting in the queue)."""


@dataclass(frozen=True)
class Stop(Command):
    pass


@dataclass(frozen=True)
class RequestSnapshot(Command):
    pass


@dataclass(frozen=True)
class Display(Command):
    """The observation the snapshots trace (``None``: the trainer's own choice)."""

    observation: int | None


@dataclass(frozen=True)
class Speed(Command):
    """Seconds between observations (0: full speed)."""

    delay_s: float


@dataclass(frozen=True)
class Stream(Command):
    """While running, publish a snapshot on its own every ``interval_s`` seconds."""

    interval_s: float


@dataclass(frozen=True)
class RequestSession(Command):
    name: str


@dataclass(frozen=True)
class RequestInsight(Command):
    """``top`` recommendations for ``user`` among movies with at least ``min_ratings`` ratings."""

    user: int
    top: int = 10
    min_ratings: int | None = None


@dataclass(frozen=True)
class Encode(Command):
    """The codes of new ratings (observation-major)."""

    ratings: Any


@dataclass(frozen=True)
class ExportModel(Command):
    path: str


@dataclass(frozen=True)
class Release(Command):
    """The window has copied a snapshot's weights out of shared block ``block``."""

    block: str


@dataclass(frozen=True)
class Quit(Command):
    pass


# ====================================================================== replies
@dataclass(frozen=True)
class Reply:
    """A message from a child process."""


@dataclass(frozen=True)
class Built(Reply):
    """A trainer is ready: ``info`` holds ``n_observations``, ``n_features``, ``model``, ``training``."""

    info: dict


@dataclass(frozen=True)
class SnapshotReady(Reply):
    snapshot: Any


@dataclass(frozen=True)
class SnapshotShared(Reply):
    """A snapshot whose weights wait in shared block ``block`` (``layout``), the rest in ``snapshot``;
    ``blocks``: the names of every block the child holds."""

    block: str
    layout: tuple
    snapshot: Any
    blocks: tuple


@dataclass(frozen=True)
class EventHappened(Reply):
    event: Any


@dataclass(frozen=True)
class StateChanged(Reply):
    state: State
    message: str


@dataclass(frozen=True)
class Failed(Reply):
    text: str


@dataclass(frozen=True)
class SessionReady(Reply):
    session: Any


@dataclass(frozen=True)
class InsightReady(Reply):
    insight: Any


@dataclass(frozen=True)
class Encoded(Reply):
    encoding: Any


@dataclass(frozen=True)
class Exported(Reply):
    """``(pt_path, json_path)``."""

    paths: tuple


@dataclass(frozen=True)
class EpochDone(Reply):
    """A comparison's run ``(config_index, seed)`` finished fine-tuning epoch ``epoch``."""

    config_index: int
    seed: int
    epoch: int
    train_rmse: float
    test_rmse: float


@dataclass(frozen=True)
class RunDone(Reply):
    """A comparison's run ended (a :class:`~aegui.core.engine.compare.RunResult`)."""

    result: Any


@dataclass(frozen=True)
class Finished(Reply):
    """A comparison is done (every run, or a stop honoured)."""
