"""How the trainer copies what views draw into :mod:`.snapshot` records (mixed into :class:`~.trainer.Trainer`).

A :class:`~.snapshot.Snapshot` holds ``θ`` split into ``W_l`` ``(n_l, n_{l−1})`` and ``b_l`` ``(n_l,)``,
the last update's gradient ``∂L/∂θ`` and step ``Δθ = θ − θ_before`` (left out when streaming at full
speed), one observation's :class:`~.snapshot.Trace` (steps 2–6 of the seed: forward, error, loss,
backward) or an RBM's CD-k chain, the history and the timeline. Copies are made on demand, under the
trainer's lock, so at full speed only as often as someone looks.
"""

from __future__ import annotations

import torch

from .network import Network
from .objective import Evaluation, evaluate
from .protocol import State
from .snapshot import History, RBMTrace, Snapshot, Trace, frozen, frozen_all


class SnapshotAssembly:
    """The snapshot half of :class:`~.trainer.Trainer`: it reads the trainer's state, changes none of it."""

    _scratch_net: Network | None = None

    @property
    def display_observation(self) -> int | None:
        """The observation whose pass snapshots show, except right after
        :meth:`~.trainer.Trainer.step_observation`: then the observation just stepped (its real pass,
        corruption included). Setting it shows it at once."""
        return self._display

    @display_observation.setter
    def display_observation(self, observation: int | None) -> None:
        self._display = observation
        self._traced_at = None

    def _moment(self) -> tuple[int, int, int, int]:
        return self.phase_index, self.epoch, self.position, self.steps

    def _trace_rows(self, rows, x, mask, x_in, gradients: bool = True) -> Trace | None:
        """Steps 2–6 for one observation (``rows[:1]``, inputs ``x``/``x_in`` ``(1, n_0)``): forward,
        error, loss and its own gradient, on a second view of the parameters (the batch's gradient is
        untouched)."""
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
        """The curves so far (read-only arrays), with the bias-only baseline's RMSE beside them."""
        return self.run_history.frozen(self._baseline_rmse["test"], self._baseline_rmse["val"])

    def _trace_for_snapshot(self, past, gradients: bool) -> Trace | None:
        """The pass a snapshot shows: the observation just stepped (slow motion, →) if nothing moved
        since; else the observation selected (not of a pre-training stage's codes, nor of a past point
        while the present is in a pre-training stage); else the last traced one."""
        if past is None and self._trace is not None and self._traced_at == self._moment():
            return self._trace
        if self.display_observation is not None and self.stage.data is self.inputs \
                and 0 <= self.display_observation < self.n_obs \
                and (past is None or self.stage.network is self.network):
            return self.trace(self.display_observation, gradients=gradients and past is None)
        return self._trace if past is None else None

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
            tr = self._trace_for_snapshot(past, gradients) if trace else None
            info = self.stage.info
            trainable = tuple(info.kind == "finetune" or l in (info.layer, net.n_layers - 1 - info.layer)
                              for l in range(net.n_layers))
            state, message, epoch, steps, position, elapsed = (
                self.state, self.message, self.epoch, self.steps, self.position, self.elapsed)
            if past is not None:
                state, message = State.VIEWING, f"showing the past ({past.label}): train from here, or go back to the present"
                epoch, steps, position, elapsed = past.epoch, past.step, 0, past.elapsed
            return Snapshot(
                state, message, self.phases[past.phase] if past else info, tuple(self.phases), epoch,
                steps, position, self.stage.data.n, self.batch_size, elapsed, net.sizes, net.activations,
                tuple(weights), tuple(biases), grads[0] if grads else None, grads[1] if grads else None,
                updates[0] if updates else None, updates[1] if updates else None, trainable, tr,
                None if past else self._rbm_snapshot(), self.history(), self.inputs.ratings.user_ids,
                self.inputs.ratings.movie_titles, self.model.item_based, self.inputs.scale,
                self.timeline.describe(), self.viewing, tuple(self.branches))
