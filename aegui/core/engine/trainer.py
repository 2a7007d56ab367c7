"""The trainer: the seed's steps 1–8 as a resumable state machine over phases, epochs and batches.

It runs in whatever thread calls it and never blocks on anyone: ``run()`` loops until the phases are
done or a thread-safe flag (``pause()``, ``stop()``) is seen between two updates; ``step_observation``,
``step_batch`` and ``step_epoch`` advance by exactly that much. Views get :class:`Snapshot` copies from
:meth:`snapshot` (made on demand, so at full speed only as often as someone looks) and :class:`Event`
callbacks for rare things (an epoch or phase ended, divergence, the end).

Phases: ``finetune`` trains the whole network (the only phase of basic, overcomplete, sparse, denoising
and contractive); ``stacked`` first trains one shallow autoencoder per encoder layer on the previous
layer's codes (greedy layer-wise); ``deep`` first trains one RBM per encoder layer with CD-k and unrolls
them. An epoch walks the observations in a seeded random order, in batches of 1 (online), ``B``
(mini-batch) or all (batch); the update is made when a batch is complete, exactly as if it had been
processed at once (stepping one observation at a time only moves a cursor and traces it).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from ..data.ratings import Ratings
from ..data.splits import Unseen
from .baselines import Baseline, baseline_table
from .network import Network
from .objective import Evaluation, Penalty, evaluate
from .observations import Codes, Observations, orient
from .optimizers import FlatOptimizer
from .protocol import ENDED, State
from .predict import squared_error
from .rbm import RBM
from .snapshot import (MAX_CODE_ROWS, Branch, Encoding, Event, History, Insight, PhaseInfo, RBMTrace, Snapshot, Trace,
                       frozen, frozen_all)
from .spec import ModelSpec, TrainSpec
from .timeline import Checkpoint, Timeline

#: step losses kept in the history before older points are thinned (every other one dropped)
STEP_HISTORY_CAP = 20_000
#: abandoned futures whose curves are kept for the charts after going back in the timeline
MAX_BRANCHES = 4
#: a loss above this many times ``(r_max / s)²`` (every prediction off by the whole rating scale) is
#: exploding: predictions a hundred scales away; training stops as diverged before the weights overflow
EXPLODING = 1e4


class _Stage:
    """What one phase trains: a network (or an RBM) on its own observations."""

    def __init__(self, info: PhaseInfo, data, network: Network | None = None,
                 optimizer: FlatOptimizer | None = None, penalty: Penalty | None = None,
                 rbm: RBM | None = None):
        self.info, self.data, self.network = info, data, network
        self.optimizer, self.penalty, self.rbm = optimizer, penalty or Penalty(), rbm
        #: θ before the last update: restored if the next loss is not finite; θ − backup is the update
        self.backup = network.params.clone() if network is not None else None
        #: the last weights known good (the stage's start, then each epoch's end) and the update count then:
        #: what divergence restores (θ before the last update may already be exploding)
        self.good: tuple[torch.Tensor, int] | None = (network.params.clone(), 0) if network is not None else None
        self.chain: dict | None = None  # the last CD-k chain (RBM stages)


class Trainer:
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
            self._start_at_the_mean(network)
        elif network.sizes[0] != self.n_features:
            raise ValueError(f"the network has {network.sizes[0]} inputs but the data has {self.n_features} "
                             f"{'users' if model.item_based else 'movies'}")
        self.network = network
        self._baseline_rmse = self.baseline_rmse()
        self._best: tuple[float, torch.Tensor] | None = None
        self._stale_epochs = 0

        self.phases = self._plan()
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
        self._scratch_net: Network | None = None
        self.display_observation = None
        self._hist_train: list[float] = []
        self._hist_test: list[float] = []
        self._hist_val: list[float] = []
        self._hist_phase: list[int] = []
        self._step_index: list[int] = []
        self._step_loss: list[float] = []
        self._step_stride = 1
        self.stage = self._make_stage(0)
        self.timeline = Timeline(self.network.params.numel(), self.network.params.element_size())
        self.viewing: int | None = None            # the timeline point shown instead of the present
        self._present: torch.Tensor | None = None  # θ of the present while a past point is shown
        self.branches: list[Branch] = []
        self._record()

    # ------------------------------------------------------------------ planning
    def _plan(self) -> list[PhaseInfo]:
        m = self.model
        k = len(m.hidden)
        sizes = m.layer_sizes(self.n_features)
        phases: list[PhaseInfo] = []
        if m.kind in ("stacked", "deep") and m.pretrain_epochs > 0:
            for layer in range(k):
                if m.kind == "stacked":
                    title = (f"Pre-training layer {layer + 1} of {k}: autoencoder "
                             f"{sizes[layer]}→{sizes[layer + 1]}→{sizes[layer]}")
                    phases.append(PhaseInfo("pretrain", layer, 0, 0, m.pretrain_epochs, title))
                else:
                    title = f"RBM {layer + 1} of {k}: {sizes[layer]}↔{sizes[layer + 1]}, CD-{m.cd_k}"
                    phases.append(PhaseInfo("rbm", layer, 0, 0, m.pretrain_epochs, title))
        phases.append(PhaseInfo("finetune", -1, 0, 0, self.training.epochs,
                                "Fine-tuning the whole network" if phases else "Training"))
        n = len(phases)
        return [PhaseInfo(p.kind, p.layer, i, n, p.epochs, p.title) for i, p in enumerate(phases)]

    def _layer_codes(self, layer: int) -> torch.Tensor:
        """Codes ``h_layer`` of every observation through the (pre-trained) encoder layers ``< layer``."""
        out = []
        with torch.no_grad():
            for start in range(0, self.n_obs, 1024):
                x, _ = self.inputs.block(torch.arange(start, min(self.n_obs, start + 1024)))
                out.append(self.network.forward(x, stop=layer)[-1])
        return torch.cat(out)

    def _make_stage(self, index: int) -> _Stage:
        info = self.phases[index]
        m = self.model
        data = self.inputs if info.layer <= 0 else Codes(self._layer_codes(info.layer))
        if info.kind == "finetune":
            net = self.network
            penalty = Penalty.for_spec(m)
        elif info.kind == "pretrain":
            n_in, n_hidden = self.network.sizes[info.layer], self.network.sizes[info.layer + 1]
            out_act = m.output_activation if info.layer == 0 else m.activation
            net = Network((n_in, n_hidden, n_in), (m.activation, out_act), dtype=self.dtype,
                          device=self.device).init_(self.generator)
            penalty = Penalty(code_layer=1)
        else:
            n_in, n_hidden = self.network.sizes[info.layer], self.network.sizes[info.layer + 1]
            rbm = RBM(n_in, n_hidden, self.generator, dtype=self.dtype, device=self.device,
                      gaussian_visible=m.centered and info.layer == 0)
            return _Stage(info, data, rbm=rbm)
        return _Stage(info, data, net, self._optimizer(net), penalty)

    def _optimizer(self, network: Network) -> FlatOptimizer:
        t = self.training
        return FlatOptimizer(t.optimizer, network.params, network.decay_mask, lr=t.lr,
                             weight_decay=t.weight_decay, momentum=t.momentum)

    def _stage_links(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """``(whole-network tensor, stage tensor)`` pairs of a pre-training stage: its encoder is layer
        ``l`` of the whole network, its decoder the mirror layer ``L−1−l`` (empty when fine-tuning)."""
        st = self.stage
        layer = st.info.layer
        if layer < 0:
            return []
        mirror = self.network.n_layers - 1 - layer
        w, b = self.network.weights, self.network.biases
        if st.rbm is not None:
            return [(w[mirror], st.rbm.weight.t()), (b[mirror], st.rbm.visible_bias),
                    (w[layer], st.rbm.weight), (b[layer], st.rbm.hidden_bias)]
        return [(w[mirror], st.network.weights[1]), (b[mirror], st.network.biases[1]),
                (w[layer], st.network.weights[0]), (b[layer], st.network.biases[0])]

    def _sync_stage(self) -> None:
        """Copy a pre-training stage's weights into the whole network (encoder layer and its mirror);
        not while a past point is shown (the network then holds that point's weights)."""
        if self.viewing is not None:
            return
        with torch.no_grad():
            for whole, part in self._stage_links():
                whole.copy_(part)

    def _load_stage(self) -> None:
        """The inverse of :meth:`_sync_stage`: a pre-training stage takes its layers from the whole
        network (an RBM's one matrix from the encoder layer, copied last)."""
        with torch.no_grad():
            for whole, part in self._stage_links():
                part.copy_(whole)
        if self.stage.network is not None:
            self.stage.backup.copy_(self.stage.network.params)

    def _start_at_the_mean(self, network: Network, shrink: float = 5.0, sample: int = 1024) -> None:
        """Output biases start where each output predicts its feature's mean rating (centred models: the
        output layer starts at zero, so that a fresh network predicts the baseline exactly).

        With ``t_i = (Σ r_i + k·r̄) / (n_i + k)`` (the feature's mean shrunk toward the global mean
        ``r̄``, ``k = shrink``) and ``ā_i`` the mean over observations of ``(h_{L−1} W_Lᵀ)_i`` for the
        initial weights, ``b_i = g⁻¹(t_i / s) − ā_i`` (``s`` the input scale); so a fresh network predicts each movie's (or each
        user's, item-based) average instead of arbitrary values, and training starts from a sensible
        error."""
        data = self.inputs.ratings
        if not data.n_ratings:
            return
        if self.model.centered:  # the baseline is in the offsets: the output layer starts at 0, y = 0 exactly
            with torch.no_grad():
                network.weights[-1].zero_()
                network.biases[-1].zero_()
            return
        else:
            target = self._mean_targets(data, network.activations[-1], shrink)
        with torch.no_grad():
            rows = torch.from_numpy(self._rng.permutation(self.n_obs)[:sample].astype(np.int64))
            x, _ = self.inputs.block(rows)
            h = network.forward(x, stop=network.n_layers - 1)[-1]
            offset = (h @ network.weights[-1].t()).mean(0)
            network.biases[-1].copy_(torch.as_tensor(target, dtype=offset.dtype, device=offset.device) - offset)

    def _mean_targets(self, data: Ratings, name: str, shrink: float) -> np.ndarray:
        """``g⁻¹(t_i / s)`` of each feature's shrunk mean rating ``t_i``."""
        counts = np.bincount(data.movies, minlength=data.n_movies)
        sums = np.bincount(data.movies, weights=data.values, minlength=data.n_movies)
        target = (sums + shrink * data.values.mean()) / (counts + shrink) / self.inputs.scale
        if name == "sigmoid":
            target = np.log(target / (1 - np.clip(target, None, 0.999)))
        elif name == "tanh":
            target = np.arctanh(np.clip(target, None, 0.999))
        return target

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
        if self.steps % self._step_stride == 0:
            self._step_index.append(self.steps)
            self._step_loss.append(loss)
            if len(self._step_loss) > STEP_HISTORY_CAP:
                self._step_index = self._step_index[::2]
                self._step_loss = self._step_loss[::2]
                self._step_stride *= 2
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

    @property
    def display_observation(self) -> int | None:
        """The observation whose pass snapshots show, except right after :meth:`step_observation`: then
        the observation just stepped (its real pass, corruption included). Setting it shows it at once."""
        return self._display

    @display_observation.setter
    def display_observation(self, observation: int | None) -> None:
        self._display = observation
        self._traced_at = None

    def _moment(self) -> tuple[int, int, int, int]:
        return self.phase_index, self.epoch, self.position, self.steps

    def step_observation(self) -> bool:
        """Move the cursor by one observation (tracing it); update when its batch completes.
        Returns ``False`` when there is nothing left to do."""
        with self.lock:
            self._leave_past()
            if self.finished:
                return False
            self._leave_ready()
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
                self._pause.wait(self.delay_s)
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
        self._hist_train.append(metrics["train_rmse"])
        self._hist_test.append(metrics["test_rmse"])
        self._hist_val.append(metrics["val_rmse"])
        self._hist_phase.append(info.index)
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
            value = baseline_table(self.train_all, self.test, self.test_unseen)[which]["test_rmse"]
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

    # ------------------------------------------------------------------ saving and restoring
    def progress(self) -> dict:
        """Where training stands (JSON-friendly)."""
        return {"phase": self.phase_index, "epoch": self.epoch, "steps": self.steps,
                "state": str(State.FINISHED if self.state == State.FINISHED else State.PAUSED if self.steps else State.READY),
                "elapsed_s": self.elapsed}

    def history_lists(self) -> dict[str, list]:
        return {"epoch_train_rmse": list(self._hist_train), "epoch_test_rmse": list(self._hist_test),
                "epoch_val_rmse": list(self._hist_val), "epoch_phase": list(self._hist_phase),
                "step_index": list(self._step_index), "step_loss": list(self._step_loss),
                "step_stride": [self._step_stride]}

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
            self._hist_train = [float(v) for v in history.get("epoch_train_rmse", [])]
            self._hist_test = [float(v) for v in history.get("epoch_test_rmse", [])]
            self._hist_val = [float(v) for v in history.get("epoch_val_rmse", [])]
            self._hist_phase = [int(v) for v in history.get("epoch_phase", [])]
            self._step_index = [int(v) for v in history.get("step_index", [])]
            self._step_loss = [float(v) for v in history.get("step_loss", [])]
            self._step_stride = int((history.get("step_stride") or [1])[0])
            self.timeline.clear()
            self.branches = []
            self._record()
            if progress.get("state") == State.FINISHED or self.epoch >= self.stage.info.epochs:
                self.state, self.message = State.FINISHED, "finished (restored)"
            elif self.steps:
                self.state, self.message = State.PAUSED, "restored"

    # ------------------------------------------------------------------ the timeline
    def _record(self) -> None:
        """Offer the current weights to the timeline (after each epoch, and at the start)."""
        serial = len(self._hist_train)
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
            if point.serial < len(self._hist_train):
                self.branches = [*self.branches, Branch(point.serial, self.history())][-MAX_BRANCHES:]
            self.network.params.copy_(point.params)
            if point.phase != self.phase_index:
                self.phase_index = point.phase
                self.stage = self._make_stage(point.phase)
            self._load_stage()
            if self.stage.network is not None:
                self.stage.optimizer = self._optimizer(self.stage.network)
            self.epoch, self.steps, self.elapsed = point.epoch, point.step, point.elapsed
            self.position, self._order, self._batch, self._trace = 0, None, None, None
            self.stage.chain = None
            for name in ("_hist_train", "_hist_test", "_hist_val", "_hist_phase"):
                setattr(self, name, getattr(self, name)[:point.serial])
            keep = sum(1 for k in self._step_index if k <= point.step)
            self._step_index, self._step_loss = self._step_index[:keep], self._step_loss[:keep]
            self._best, self._stale_epochs = None, 0
            self.timeline.truncate(index)
            self.state = State.PAUSED if self.steps else State.READY
            self.message = f"back at {point.label}: training goes on from here"
            if self.epoch >= self.stage.info.epochs:
                self._next_phase()

    # ------------------------------------------------------------------ what the network says
    def insight(self, user: int, top: int = 10, min_ratings: int | None = None) -> Insight:
        """Every observation's codes (an evenly spread sample on very large sets), the dormant units,
        and one user's ratings, predictions and recommendations (the ``top`` unrated movies with at least
        ``min_ratings`` training ratings; ``None``: :func:`~.snapshot.default_min_ratings`), from the
        weights shown (the present or a timeline point)."""
        from .predict import dormant_mask, hidden_codes, rated_rmse, recommend, resolve_min_ratings, user_predictions

        with self.lock:
            self._sync_stage()
            inputs, net = self.prediction_inputs, self.network
            n = inputs.n
            rows = np.arange(n) if n <= MAX_CODE_ROWS else np.unique(np.linspace(0, n - 1, MAX_CODE_ROWS).astype(np.int64))
            codes = hidden_codes(net, inputs, rows)
            train = self.train_all
            if not 0 <= user < train.n_users:
                raise ValueError(f"user {user + 1} does not exist ({train.n_users} users)")
            least = resolve_min_ratings(min_ratings, train.ratings_per_movie)
            raw = user_predictions(net, inputs, user, self.model.item_based)
            predictions = np.clip(raw, self.low, self.high)
            point = self.timeline.points[self.viewing] if self.viewing is not None else None
            own = train.dense_rows(np.array([user]))[0]
            held_out = (self.test.dense_rows(np.array([user]))[0] if self.test is not None and user < self.test.n_users
                        else np.zeros(train.n_movies, np.float32))
            return Insight(
                point.step if point else self.steps, point.epoch if point else self.epoch, self.viewing,
                frozen(rows), frozen_all(codes), len(self.model.hidden) - 1,
                frozen_all(c.mean(0) if len(c) else np.zeros(c.shape[1], np.float32) for c in codes),
                frozen_all(dormant_mask(c, self.model.sparsity_target) for c in codes), user,
                frozen(own), frozen(held_out), frozen(predictions), tuple(recommend(raw, train, user, top, least)),
                self.model.item_based, (rated_rmse(predictions, own), rated_rmse(predictions, held_out)), least,
                frozen(train.ratings_per_movie))

    def encode(self, ratings: np.ndarray, top: int = 10, min_ratings: int | None = None) -> Encoding:
        """A new user's pass (user-based models): ``x = r/s`` (``(n_movies,)``, 0 = not rated) through
        the network shown, without training; returns the codes, the clipped predictions ``s·y`` and
        the ``top`` recommendations (among movies with at least ``min_ratings`` training ratings, as in
        :meth:`insight`)."""
        from ..data.ratings import check_rating_values
        from .predict import recommend_unrated, resolve_min_ratings

        if self.model.item_based:
            raise ValueError("an item-based network takes movies, not users: a new user needs retraining")
        r = np.asarray(ratings, dtype=np.float32)
        if r.shape != (self.n_features,):
            raise ValueError(f"a new user rates {self.n_features} movies, got {r.shape[0] if r.ndim else 0} values")
        check_rating_values(r[r != 0], "new user's rating")
        counts = self.train_all.ratings_per_movie
        least = resolve_min_ratings(min_ratings, counts)
        with self.lock, torch.no_grad():
            self._sync_stage()
            x, offset = self.inputs.encode(r, self.baseline.new_user_bias(r))
            hs = self.network.forward(x)
            y = ((hs[-1] + offset)[0] * self.inputs.scale).cpu().numpy()
            return Encoding(frozen(r), frozen_all(h[0] for h in hs[1:-1]), len(self.model.hidden) - 1,
                            frozen(np.clip(y, self.low, self.high)),
                            tuple(recommend_unrated(y, r > 0, self.low, self.high, top, counts, least)), least)

    def export_model(self, path: str) -> tuple:
        """The network shown, as a torch state dict and a JSON description (:mod:`.export`)."""
        from .export import export_model

        with self.lock:
            self._sync_stage()
            return export_model(self.network, self.model, path, self.inputs.ratings.movie_ids, self._oriented,
                                self.inputs.ratings.user_ids)

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

    # ------------------------------------------------------------------ snapshots
    def _trace_rows(self, rows, x, mask, x_in, gradients: bool = True) -> Trace | None:
        """Steps 2–6 for one observation: forward, error, loss and its own gradient, on a second view
        of the parameters (the batch's gradient is untouched)."""
        st = self.stage
        if st.rbm is not None:
            return None
        scratch = self._scratch()
        ev: Evaluation = evaluate(scratch, x_in, x, mask, st.penalty)
        r = int(rows[0])
        labels = self.inputs.ratings.user_ids
        rated = (mask[0] > 0) if mask is not None else torch.ones_like(x[0], dtype=torch.bool)
        return Trace(r, labels[r] if st.data is self.inputs else f"code {r}", frozen(x[0]), frozen(x_in[0]),
                     frozen(rated), frozen_all(h[0] for h in self._pre(scratch, ev.hs)),
                     frozen_all(h[0] for h in ev.hs[1:]), frozen(ev.error[0]), int(ev.n_rated),
                     ev.reconstruction, ev.penalty, frozen_all(d[0] for d in ev.deltas),
                     frozen_all(scratch.weight_grads) if gradients else None,
                     frozen_all(scratch.bias_grads) if gradients else None, self.inputs.scale,
                     frozen(self.inputs.offset(rows[:1])[0] * self.inputs.scale)
                     if self.model.centered and st.data is self.inputs else None)

    def _scratch(self) -> Network:
        """The stage's network sharing its ``θ`` with a gradient buffer of its own, made once per stage
        network (its buffers are as large as ``θ``: a snapshot at 30 frames a second must not allocate them)."""
        net = self.stage.network
        if self._scratch_net is None or self._scratch_net.params is not net.params:
            self._scratch_net = net.sharing()
        return self._scratch_net

    @staticmethod
    def _pre(network: Network, hs: list[torch.Tensor]) -> list[torch.Tensor]:
        """Pre-activations ``a_l = h_{l−1} W_lᵀ + b_l`` recomputed for display."""
        return [torch.addmm(b, h, w.t()) for h, w, b in zip(hs[:-1], network.weights, network.biases)]

    def trace(self, observation: int, gradients: bool = True) -> Trace | None:
        """Steps 2–6 for any observation with the current weights (clean input unless denoising, whose
        corruption here uses a display-only random stream, so looking never changes training)."""
        with self.lock:
            if self.stage.rbm is not None:
                return None
            rows = torch.tensor([observation])
            x, mask = self.stage.data.block(rows)
            return self._trace_rows(rows, x, mask, self._corrupt(x, mask, self._display_generator), gradients)

    def _rbm_snapshot(self) -> RBMTrace | None:
        """The first observation of the last CD-k chain: the real samples of the last update."""
        chain = self.stage.chain
        if self.stage.rbm is None or chain is None:
            return None
        v0, mask = chain["v0"], chain["rated"]
        rated = (mask[0] > 0) if mask is not None else torch.ones_like(v0[0], dtype=torch.bool)
        return RBMTrace(self.stage.info.layer, self.model.cd_k, frozen(v0[0]), frozen(chain["h0"][0]),
                        frozen(chain["h0_sample"][0]), frozen(chain["vk"][0]), frozen(chain["hk"][0]),
                        frozen(rated))

    def history(self) -> History:
        return History(frozen(np.array(self._hist_train)), frozen(np.array(self._hist_test)),
                       frozen(np.array(self._hist_val)), frozen(np.array(self._hist_phase, dtype=int)),
                       frozen(np.array(self._step_index, dtype=int)), frozen(np.array(self._step_loss)),
                       self._baseline_rmse["test"], self._baseline_rmse["val"])

    def snapshot(self, *, trace: bool = True, gradients: bool = True) -> Snapshot:
        """A consistent, immutable copy of everything a view draws."""
        with self.lock:
            self._sync_stage()
            net = self.network
            weights, biases = net.split(frozen(net.params))
            past = self.timeline.points[self.viewing] if self.viewing is not None else None
            grads = updates = None
            if gradients and self.steps and self.stage.network is net and past is None:
                gw, gb = net.split(net.grad)
                grads = (frozen_all(gw), frozen_all(gb))
                uw, ub = net.split(net.params - self.stage.backup)
                updates = (frozen_all(uw), frozen_all(ub))
            tr = None
            if trace:
                if past is None and self._trace is not None and self._traced_at == self._moment():
                    tr = self._trace  # the observation just stepped (slow motion, →), not the one selected
                elif self.display_observation is not None and self.stage.data is self.inputs \
                        and 0 <= self.display_observation < self.n_obs \
                        and (past is None or self.stage.network is net):  # no pre-training stage of the present
                    tr = self.trace(self.display_observation, gradients=gradients and past is None)
                elif past is None:
                    tr = self._trace
            trainable = tuple(self.stage.info.kind == "finetune" or l in (self.stage.info.layer,
                                                                           net.n_layers - 1 - self.stage.info.layer)
                              for l in range(net.n_layers))
            state, message, epoch, steps, position, elapsed = (
                self.state, self.message, self.epoch, self.steps, self.position, self.elapsed)
            if past is not None:
                state, message = State.VIEWING, f"showing the past ({past.label}): train from here, or go back to the present"
                epoch, steps, position, elapsed = past.epoch, past.step, 0, past.elapsed
            return Snapshot(
                state, message, self.phases[past.phase] if past else self.stage.info, tuple(self.phases), epoch,
                steps, position, self.stage.data.n, self.batch_size, elapsed, net.sizes, net.activations,
                tuple(weights), tuple(biases), grads[0] if grads else None, grads[1] if grads else None,
                updates[0] if updates else None, updates[1] if updates else None, trainable, tr,
                None if past else self._rbm_snapshot(), self.history(), self.inputs.ratings.user_ids,
                self.inputs.ratings.movie_titles, self.model.item_based, self.inputs.scale,
                self.timeline.describe(), self.viewing, tuple(self.branches))
