"""Moving a trainer in time (mixed into :class:`~.trainer.Trainer`): the timeline, branches, saved progress.

After each epoch (and at the start) ``θ`` is offered to the :class:`~.timeline.Timeline`. A past point can
be *viewed* (its ``θ`` goes into the network every view reads, the present's ``θ`` is kept aside) or
*branched* from: training goes on from its ``θ``, phase, epoch and step counts; the curves after it are kept
as a :class:`~.snapshot.Branch` (at most :data:`MAX_BRANCHES`) and the later points are forgotten.
:meth:`~Branching.progress`, :meth:`~Branching.history_lists` and :meth:`~Branching.restore` carry the
counters and the curves through a saved session.
"""

from __future__ import annotations

from .network import Network
from .protocol import State
from .run_history import RunHistory
from .snapshot import Branch
from .timeline import Checkpoint

#: abandoned futures whose curves are kept for the charts after going back in the timeline
MAX_BRANCHES = 4


class Branching:
    """The timeline half of :class:`~.trainer.Trainer`."""

    def _record(self) -> None:
        """Offer the current weights to the timeline (after each epoch, and at the start)."""
        serial = len(self.run_history)
        if not self.timeline.wants(serial):
            return
        self._sync_stage()
        info = self.stage.info
        if serial == 0 and self.steps == 0:
            label = "start"
        else:
            where = {"pretrain": f"layer {info.layer + 1} pre-training", "rbm": f"RBM {info.layer + 1}",
                     "finetune": "fine-tuning"}[info.kind]
            label = f"epoch {self.epoch}" if len(self.phases) == 1 else f"{where}, epoch {self.epoch}"
        self.timeline.record(Checkpoint(serial, self.phase_index, self.epoch, self.steps, self.elapsed,
                                        self.network.params.clone(), label))

    def view(self, index: int | None) -> None:
        """Show timeline point ``index`` (its weights go into :attr:`network` for every view, the present
        is kept aside) or, with ``None``, the present again. Training and editing go back to the present."""
        with self.lock:
            if index is None:
                self._leave_past()
                return
            point = self.timeline.points[index]
            if self._present is None:
                self._sync_stage()
                self._present = self.network.params.clone()
            self.network.params.copy_(point.params)
            self.viewing = index

    def present_network(self) -> Network:
        """A copy of the network as trained so far: the present even while a past point is shown, with
        a pre-training stage's latest weights in place."""
        with self.lock:
            self._sync_stage()
            net = self.network.clone()
            if self._present is not None:
                net.params.copy_(self._present)
            return net

    def _leave_past(self) -> None:
        if self._present is not None:
            self.network.params.copy_(self._present)
        self._present = None
        self.viewing = None

    def branch(self, index: int) -> None:
        """Go back to timeline point ``index`` and train on from there: its weights, phase, epoch and
        step counts come back, the history after it is cut (its curves are kept as a :class:`Branch`
        for the charts), later points are forgotten; the optimiser's moments start afresh."""
        with self.lock:
            point = self.timeline.points[index]
            self._present, self.viewing = None, None
            if point.serial < len(self.run_history):
                self.branches = [*self.branches, Branch(point.serial, self.history())][-MAX_BRANCHES:]
            self.network.params.copy_(point.params)
            if point.phase != self.phase_index:
                self.phase_index = point.phase
                self.stage = self._make_stage(point.phase)
            self.stage.read_from(self.network)
            if self.stage.network is not None:
                self.stage.optimizer = self._optimizer(self.stage.network)
            self.epoch, self.steps, self.elapsed = point.epoch, point.step, point.elapsed
            self.position, self._order, self._batch, self._trace = 0, None, None, None
            self.stage.chain = None
            self.run_history.truncate(point.serial, point.step)
            self._best, self._stale_epochs = None, 0
            self.timeline.truncate(index)
            self.state = State.PAUSED if self.steps else State.READY
            self.message = f"back at {point.label}: training goes on from here"
            if self.epoch >= self.stage.info.epochs:
                self._next_phase()

    # ------------------------------------------------------------------ saving and restoring
    def progress(self) -> dict:
        """Where training stands (JSON-friendly)."""
        return {"phase": self.phase_index, "epoch": self.epoch, "steps": self.steps,
                "state": str(State.FINISHED if self.state == State.FINISHED else State.PAUSED if self.steps else State.READY),
                "elapsed_s": self.elapsed}

    def history_lists(self) -> dict[str, list]:
        return self.run_history.as_lists()

    def restore(self, progress: dict, history: dict[str, list]) -> None:
        """Continue from saved progress (weights already in :attr:`network`): the phase and epoch
        counters, the history; the optimiser's moments start afresh."""
        with self.lock:
            phase = int(progress.get("phase", 0))
            if not 0 <= phase < len(self.phases):
                raise ValueError(f"saved phase {phase} does not exist for this model")
            if phase != self.phase_index:
                self.phase_index = phase
                self.stage = self._make_stage(phase)
            self.epoch = max(0, int(progress.get("epoch", 0)))
            self.steps = max(0, int(progress.get("steps", 0)))
            self.elapsed = float(progress.get("elapsed_s", 0.0))
            self.run_history = RunHistory.from_lists(history)
            self.timeline.clear()
            self.branches = []
            self._record()
            if progress.get("state") == State.FINISHED or self.epoch >= self.stage.info.epochs:
                self.state, self.message = State.FINISHED, "finished (restored)"
            elif self.steps:
                self.state, self.message = State.PAUSED, "restored"
