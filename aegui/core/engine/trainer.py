"""The trainer: the seed's steps 1–8 as a resumable state machine over phases, epochs and batches.

It runs in whatever thread calls it and never blocks on anyone: ``run()`` loops until the phases are
done or a thread-safe flag (``pause()``, ``stop()``) is seen between two updates; ``step_observation``,
``step_batch`` and ``step_epoch`` advance by exactly that much. Views get :class:`Snapshot` copies from
:meth:`snapshot` (made on demand, so at full speed only as often as someone looks) and :class:`Event`
callbacks for rare things (an epoch or phase ended, divergence, the end).

An epoch walks the observations of the current phase (:mod:`.stages`) in a seeded random order, in
batches of 1 (online), ``B`` (mini-batch) or all (batch); the update is made when a batch is complete,
exactly as if it had been processed at once (stepping one observation at a time only moves a cursor and
traces it). This module holds the loop and the maths of an update; the other halves of :class:`Trainer`
are mixed in: :mod:`.snapshot_assembly` (what views draw), :mod:`.queries` (``insight``, ``encode``,
``export_model``) and :mod:`.branching` (the timeline, branches, saved progress).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable

import numpy as np
import torch

from ..data.ratings import Ratings
from ..data.splits import Unseen
from .baselines import Baseline, baseline_table
from .branching import Branching
from .network import Network
from .objective import evaluate
from .observations import Codes, Observations, orient
from .optimizers import FlatOptimizer
from .predict import squared_error
from .protocol import ENDED, State
from .queries import Queries
from .run_history import RunHistory
from .snapshot import Branch, Event, PhaseInfo, Snapshot, Trace
from .snapshot_assembly import SnapshotAssembly
from .spec import ModelSpec, TrainSpec
from .stages import Stage, layer_codes, make_optimizer, plan_phases, start_at_the_mean
from .timeline import Timeline

#: a loss above this many times ``(r_max / s)²`` (every prediction off by the whole rating scale) is
#: exploding: predictions a hundred scales away; training stops as diverged before the weights overflow
EXPLODING = 1e4


class Trainer(SnapshotAssembly, Queries, Branching):
    """Trains one autoencoder on a ratings set; see the module docstring."""

    def __init__(self, train: Ratings, model: ModelSpec, training: TrainSpec, *, test: Ratings | None = None,
                 device: str = "cpu", network: Network | None = None,
                 on_event: Callable[[Event], None] | None = None, test_every_epoch: bool = True,
                 test_unseen: Unseen | None = None):
        """``test_every_epoch``: score the test set after each epoch (the charts' test curve); the
        command line only needs it at the end. ``test_unseen``: test cells of users or movies absent
        from ``train`` (:func:`~aegui.core.data.splits.align`): the baseline predicts them, and they
        count in the test RMSE."""
        self.model, self.training = model, training
        self.device = torch.device(device)
        self.dtype = torch.float32
        self.on_event = on_event
        self.test_every_epoch = test_every_epoch
        self.lock = threading.RLock()
        self._pause = threading.Event()
        self._stop = threading.Event()
        self.delay_s = 0.0
        #: receives snapshots: ``request_snapshot()`` asks (any thread), the next step boundary sends one
        self.on_snapshot: Callable[[Snapshot], None] | None = None
        self._snapshot_wanted = threading.Event()
        #: while running, also publish on its own every this many seconds (0: only when asked), so a
        #: viewer in another process gets a steady frame rate without a request's round trip
        self.stream_interval_s = 0.0
        #: flow control for streaming: ``None`` or a callable that says whether the receiver can take a
        #: snapshot now (one the window could not take yet is not made: its θ copy would slow training)
        self.stream_ready: Callable[[], bool] | None = None
        self._published_at = 0.0

        self.train_all = train
        fit = train
        self.validation: Ratings | None = None
        if training.validation_fraction > 0:
            from ..data.splits import split_random

            fit, self.validation = split_random(train, training.validation_fraction, seed=training.seed + 1)
        self.fit, self.test = fit, test
        self.low, self.high = (float(train.values.min()), float(train.values.max())) if train.n_ratings else (1.0, 5.0)
        #: the bias-only baseline fitted on the ratings trained on (user-major); ``_oriented`` as the inputs
        self.baseline = Baseline.fit(fit)
        self._oriented = self.baseline.transposed() if model.item_based else self.baseline
        centre = self._oriented.centre() if model.centered else None
        self.test_unseen = test_unseen if test_unseen is not None else Unseen.none()
        self._unseen_se = self.baseline.squared_error(self.test_unseen.users, self.test_unseen.movies,
                                                      self.test_unseen.values)
        self.inputs = Observations(orient(fit, model.item_based), scale=model.input_scale, dtype=self.dtype,
                                   device=self.device, centre=centre)
        #: what predictions start from: every known training rating, the validation slice included
        self.prediction_inputs = self.inputs if self.validation is None else Observations(
            orient(train, model.item_based), scale=model.input_scale, dtype=self.dtype, device=self.device,
            centre=centre)
        self._val_obs = orient(self.validation, model.item_based) if self.validation is not None else None
        self._test_obs = orient(test, model.item_based) if test is not None else None
        self.n_obs, self.n_features = self.inputs.n, self.inputs.m

        self.generator = torch.Generator().manual_seed(training.seed)
        self._display_generator = torch.Generator().manual_seed(training.seed + 7)
        self._rng = np.random.default_rng(training.seed)
        model.check_size(self.n_features)   # before anything large is allocated
        if network is None:
            network = Network(model.layer_sizes(self.n_features), model.layer_activations(),
                              dtype=self.dtype, device=self.device).init_(self.generator)
            start_at_the_mean(network, self.inputs, model.centered, self._rng)
        elif network.sizes[0] != self.n_features:
            raise ValueError(f"the network has {network.sizes[0]} inputs but the data has {self.n_features} "
                             f"{'users' if model.item_based else 'movies'}")
        self.network = network
        self._baseline_table: dict | None = None   # baseline_table() on the test ratings, made once
        self._baseline_rmse = self.baseline_rmse()
        self._best: tuple[float, torch.Tensor] | None = None
        self._stale_epochs = 0

        self.phases = plan_phases(model, training.epochs, self.n_features)
        self.phase_index = 0
        self.epoch = 0
        self.position = 0
        self.steps = 0
        self.state = State.READY
        self.message = "ready to train"
        self.elapsed = 0.0
        self._order: torch.Tensor | None = None
        self._batch: tuple | None = None
        self._epoch_se = 0.0
        self._epoch_n = 0.0
        self._trace: Trace | None = None
        self.display_observation = None
        self.run_history = RunHistory()
        self.stage = self._make_stage(0)
        self.timeline = Timeline(self.network.params.numel(), self.network.params.element_size())
        self.viewing: int | None = None            # the timeline point shown instead of the present
        self._present: torch.Tensor | None = None  # θ of the present while a past point is shown
        self.branches: list[Branch] = []
        self._record()

    # ------------------------------------------------------------------ stages
    def _make_stage(self, index: int) -> Stage:
        """The stage of phase ``index``: a pre-training stage above the first layer trains on the
        codes of the layers below it, as pre-trained so far."""
        info = self.phases[index]
        data = self.inputs if info.layer <= 0 else Codes(layer_codes(self.network, self.inputs, info.layer))
        return Stage.make(info, data, self.network, self.model, self.training, self.generator)

    def _optimizer(self, network: Network) -> FlatOptimizer:
        return make_optimizer(network, self.training)

    def _sync_stage(self) -> None:
        """Copy a pre-training stage's weights into the whole network (encoder layer and its mirror);
        not while a past point is shown (the network then holds that point's weights)."""
        if self.viewing is None:
            self.stage.write_into(self.network)

    # ------------------------------------------------------------------ control (any thread)
    @property
    def finished(self) -> bool:
        return self.state in ENDED

    @property
    def batch_size(self) -> int:
        return self.training.effective_batch(self.n_obs)

    def pause(self) -> None:
        self._pause.set()

    def stop(self) -> None:
        self._stop.set()

    def request_snapshot(self) -> None:
        """Ask for a snapshot at the next step boundary (it goes to :attr:`on_snapshot`)."""
        self._snapshot_wanted.set()

    def publish(self, streaming: bool = False) -> None:
        """Send a snapshot to :attr:`on_snapshot` now. ``streaming`` (full speed): the gradients and
        updates, each as large as the weights, are left out; the weights and the observation's pass stay."""
        self._snapshot_wanted.clear()
        self._published_at = time.perf_counter()
        if self.on_snapshot is not None:
            self.on_snapshot(self.snapshot(gradients=not streaming))

    def _emit(self, kind: str, message: str, **data) -> None:
        if self.on_event is not None:
            self.on_event(Event(kind, message, data))

    # ------------------------------------------------------------------ stepping
    def _begin_epoch(self) -> None:
        if (self.stage.info.kind == "finetune" and self.epoch == 0 and self._best is None
                and self._val_obs is not None and self.training.patience > 0):
            # the weights fine-tuning starts from are a candidate too: early stopping never ends worse
            # on the validation ratings than where it began (a centred network: the baseline)
            self._best = (self._rmse(self._val_obs), self.network.params.clone())
        n = self.stage.data.n
        order = self._rng.permutation(n) if self.training.shuffle else np.arange(n)
        self._order = torch.from_numpy(order.astype(np.int64))
        self.position = 0
        self._epoch_se = 0.0
        self._epoch_n = 0.0

    def _corrupt(self, x: torch.Tensor, mask: torch.Tensor | None, generator: torch.Generator) -> torch.Tensor:
        """Denoising input ``x̃``: masking noise zeroes each rated input with probability ``rate``;
        Gaussian noise adds ``N(0, rate²)`` (in the network's scaled units) to rated inputs."""
        m = self.model
        if m.kind != "denoising" or self.stage.info.kind != "finetune" or m.noise_rate == 0:
            return x
        noise = torch.rand(x.shape, generator=generator, dtype=x.dtype).to(x.device)
        if m.noise == "mask":
            return x * (noise >= m.noise_rate).to(x.dtype)
        gauss = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device) * m.noise_rate
        return x + gauss * (mask if mask is not None else 1.0)

    def _current_batch(self):
        """The batch under the cursor: ``(start, rows, x, mask, x̃)``, built once per batch."""
        if self._order is None:
            self._begin_epoch()
        b = self.batch_size
        start = (self.position // b) * b
        if self._batch is None or self._batch[0] != start:
            rows = self._order[start:start + b]
            x, mask = self.stage.data.block(rows)
            self._batch = (start, rows, x, mask, self._corrupt(x, mask, self.generator))
        return self._batch

    @torch.inference_mode()
    def _update(self) -> float:
        """One optimiser (or CD) update on the current batch; returns its loss. It runs in inference mode:
        the backward pass is written out, so no operation needs autograd's bookkeeping."""
        start, rows, x, mask, x_in = self._batch
        st = self.stage
        if st.rbm is not None:
            st.chain = st.rbm.cd_step(x, mask, self.model.cd_k, self.model.rbm_lr)
            st.chain["rated"] = mask
            loss = reconstruction = st.chain["reconstruction"]
            n = float(mask.sum()) if mask is not None else float(x.numel())
        else:
            ev = evaluate(st.network, x_in, x, mask, st.penalty, keep_error=False)
            loss, reconstruction, n = ev.loss, ev.reconstruction, ev.n_rated
            if not math.isfinite(loss) or reconstruction > EXPLODING * (self.high / self.inputs.scale) ** 2:
                self._diverged()
                return loss
            st.backup.copy_(st.network.params)
            st.optimizer.step(st.network.grad)  # ∇θ now holds the whole gradient, decay term included
        self._epoch_se += reconstruction * n
        self._epoch_n += n
        self.steps += 1
        self.run_history.add_step(self.steps, loss)
        self._batch = None
        return loss

    def _diverged(self) -> None:
        st = self.stage
        params, step = st.good
        st.network.params.copy_(params)
        st.backup.copy_(params)
        self.state = State.DIVERGED
        self.message = (f"training diverged at update {self.steps + 1} (the loss became NaN, infinite or "
                        f"exploded); the weights after update {step} (the last epoch that ended well) were "
                        "restored — lower the learning rate")
        self._batch = None
        self._emit("diverged", self.message)

    def _leave_ready(self) -> None:
        if self.state == State.READY:
            self.state, self.message = State.PAUSED, "stepping"

    def step_observation(self) -> bool:
        """Move the cursor by one observation (tracing it); update when its batch completes.
        Returns ``False`` when there is nothing left to do."""
        with self.lock:
            self._leave_past()
            if self.finished:
                return False
            self._leave_ready()
            t0 = time.perf_counter()
            start, rows, x, mask, x_in = self._current_batch()
            j = self.position - start
            self._trace = self._trace_rows(rows[j:j + 1], x[j:j + 1], None if mask is None else mask[j:j + 1],
                                           x_in[j:j + 1])
            self.position += 1
            if self.position - start == len(rows) or self.position == self.stage.data.n:
                self._update()
                if self.position >= self.stage.data.n and not self.finished:
                    self._end_epoch()
            self._traced_at = self._moment()
            self.elapsed += time.perf_counter() - t0
            return not self.finished

    def step_batch(self) -> bool:
        """Complete the batch under the cursor (one update)."""
        with self.lock:
            self._leave_past()
            if self.finished:
                return False
            self._leave_ready()
            t0 = time.perf_counter()
            start, rows, *_ = self._current_batch()
            self.position = start + len(rows)
            self._update()
            if self.position >= self.stage.data.n and not self.finished:
                self._end_epoch()
            self.elapsed += time.perf_counter() - t0
            return not self.finished

    def step_epoch(self) -> bool:
        """Complete the current epoch."""
        epoch, phase = self.epoch, self.phase_index
        while self.epoch == epoch and self.phase_index == phase and self.step_batch():
            pass
        return not self.finished

    def run(self, max_epochs: int | None = None) -> str:
        """Train until the phases are done, ``pause()``/``stop()`` is seen or ``max_epochs`` epochs pass;
        with ``delay_s > 0`` it walks one observation at a time (slow motion). Returns the state."""
        self._pause.clear()
        with self.lock:
            self._leave_past()
        if self.finished:
            return self.state
        self.state, self.message = State.RUNNING, self.stage.info.title
        done_epochs = 0
        epoch_marker = (self.phase_index, self.epoch)
        while not self.finished:
            if self._stop.is_set():
                self._stop.clear()
                self.state, self.message = State.STOPPED, "stopped"
                self._emit("stopped", self.message)
                break
            if self._pause.is_set():
                self.state, self.message = State.PAUSED, "paused"
                self._emit("paused", self.message)
                break
            if self.delay_s > 0:
                self.step_observation()
                self.publish()
                t0 = time.perf_counter()
                self._pause.wait(self.delay_s)
                self.elapsed += time.perf_counter() - t0   # the pace is part of the run's time
            else:
                self.step_batch()
                if self._snapshot_wanted.is_set() or (
                        self.stream_interval_s and time.perf_counter() - self._published_at >= self.stream_interval_s
                        and (self.stream_ready is None or self.stream_ready())):
                    self.publish(streaming=True)
            if (self.phase_index, self.epoch) != epoch_marker:
                epoch_marker = (self.phase_index, self.epoch)
                done_epochs += 1
                if max_epochs is not None and done_epochs >= max_epochs and not self.finished:
                    self.state, self.message = State.PAUSED, f"paused after {done_epochs} epochs"
                    break
        self._pause.clear()
        return self.state

    # ------------------------------------------------------------------ epochs and phases
    def _end_epoch(self) -> None:
        if self.stage.network is not None:
            self.stage.good = (self.stage.network.params.clone(), self.steps)
        self.epoch += 1
        self._order = None
        self._batch = None
        info = self.stage.info
        train_rmse = math.sqrt(self._epoch_se / self._epoch_n) if self._epoch_n else float("nan")
        if info.kind == "finetune" or info.layer == 0:
            train_rmse *= self.inputs.scale
        metrics = {"phase": info.index, "epoch": self.epoch, "train_rmse": train_rmse,
                   "test_rmse": float("nan"), "val_rmse": float("nan")}
        if info.kind == "finetune":
            if self._test_obs is not None and self.test_every_epoch:
                metrics["test_rmse"] = self._rmse(self._test_obs, self.prediction_inputs)
            if self._val_obs is not None:
                metrics["val_rmse"] = self._rmse(self._val_obs)
        self.run_history.add_epoch(metrics["train_rmse"], metrics["test_rmse"], metrics["val_rmse"], info.index)
        self._record()
        self._emit("epoch", f"{info.title}: epoch {self.epoch}/{info.epochs}", **metrics)
        if info.kind == "finetune" and self._early_stop(metrics["val_rmse"]):
            self._finish(f"stopped early after {self.epoch} epochs: validation RMSE did not improve for "
                         f"{self.training.patience} epochs (best weights kept)")
            return
        if self.epoch >= info.epochs:
            self._next_phase()

    def _early_stop(self, val_rmse: float) -> bool:
        if not math.isfinite(val_rmse):
            return False
        if self._best is None or val_rmse < self._best[0] - 1e-6:
            self._best = (val_rmse, self.network.params.clone())
            self._stale_epochs = 0
            return False
        self._stale_epochs += 1
        return self.training.patience > 0 and self._stale_epochs >= self.training.patience

    def _next_phase(self) -> None:
        self._sync_stage()
        if self.phase_index + 1 >= len(self.phases):
            self._finish(f"finished {self.stage.info.epochs} epochs")
            return
        self.phase_index += 1
        self.epoch = 0
        self.stage = self._make_stage(self.phase_index)
        self._emit("phase", self.stage.info.title, phase=self.phase_index)

    def _finish(self, message: str) -> None:
        if self._best is not None:
            self.network.params.copy_(self._best[1])
        self.state, self.message = State.FINISHED, message
        self._emit("finished", message)

    def _rmse(self, targets_obs: Ratings, inputs: Observations | None = None) -> float:
        total, n = squared_error(self.network, inputs or self.inputs, targets_obs, self.low, self.high,
                                 self._oriented)
        if targets_obs is self._test_obs:
            total, n = total + self._unseen_se, n + len(self.test_unseen)
        return math.sqrt(total / n) if n else float("nan")

    def baseline_rmse(self, which: str = "bias-only") -> dict[str, float]:
        """The baseline ``which`` (:data:`~.baselines.NAMES`) scored like the network: on the test
        ratings (unseen cells included), fitted on every training rating as the network's predictions
        read them all; on the validation slice, fitted on the rest (NaN where there are none)."""
        out = {"test": float("nan"), "val": float("nan")}
        if self.test is not None:
            if self._baseline_table is None:
                self._baseline_table = baseline_table(self.train_all, self.test, self.test_unseen)
            value = self._baseline_table[which]["test_rmse"]
            out["test"] = float("nan") if value is None else value
        if self.validation is not None and self.validation.n_ratings:
            out["val"] = self.baseline.rmse(self.validation, which)
        return out

    def metrics(self) -> dict:
        """RMSE (rating units, predictions clipped) on the fitted ratings, and on the validation and
        test ratings when there are any."""
        with self.lock:
            out = {"train_rmse": self._rmse(orient(self.fit, self.model.item_based))}
            out["val_rmse"] = self._rmse(self._val_obs) if self._val_obs is not None else None
            out["test_rmse"] = (self._rmse(self._test_obs, self.prediction_inputs)
                                if self._test_obs is not None else None)
            return out

    def set_training(self, training: TrainSpec) -> None:
        """Change how to learn (mode, batch size, optimiser, learning rate, decay, epochs) without a new
        network: the current batch is dropped, the optimiser starts afresh on the same weights."""
        if training.validation_fraction != self.training.validation_fraction or training.seed != self.training.seed:
            raise ValueError("a new validation split or seed needs a new trainer")
        with self.lock:
            self.training = training
            self._batch = None
            self._order = None
            self.position = 0
            self.phases = [PhaseInfo(p.kind, p.layer, p.index, p.count,
                                     training.epochs if p.kind == "finetune" else p.epochs, p.title)
                           for p in self.phases]
            st = self.stage
            st.info = self.phases[self.phase_index]
            if st.network is not None:
                st.optimizer = self._optimizer(st.network)
            if self.state == State.FINISHED and self.epoch < st.info.epochs:
                self.state, self.message = State.PAUSED, "more epochs to go"

    # ------------------------------------------------------------------ editing (any thread)
    def set_parameter(self, layer: int, kind: str, row: int, col: int, value: float) -> float:
        """Set ``W_layer[row, col]`` or ``b_layer[row]`` (0-based layer) of the whole network; returns
        the old value. Training continues from the new value."""
        if not math.isfinite(value):
            raise ValueError("a weight must be a finite number")
        if self.viewing is not None:
            raise ValueError("a past point of the timeline is shown: go back to the present (or train from "
                             "this point) to edit the weights")
        with self.lock:
            k = self.network.offset_of(layer, kind, row, col)
            old = float(self.network.params[k])
            self.network.params[k] = value
            if self.stage.network is self.network:
                self.stage.backup[k] = value
            return old

