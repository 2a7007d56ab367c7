"""Compare configurations: train each one on the same data and split, once per seed, and summarise.

:func:`run_one` trains one configuration with one seed (a :class:`~aegui.core.engine.trainer.Trainer`,
one epoch at a time, so a stop request is honoured between epochs); :func:`run_comparison` runs every
configuration for every seed in turn; :func:`summarise` gives per configuration the mean and the sample
standard deviation over seeds of the final RMSEs, epochs and seconds; :func:`spread` the per-epoch
band of curves over seeds. :class:`ComparisonProcess` runs a comparison in a spawned child process (the
window stays responsive, as with :mod:`aegui.core.engine.remote`) and streams the replies of
:mod:`.protocol` through a pipe: :class:`~.protocol.EpochDone` after each fine-tuning epoch of a run,
:class:`~.protocol.RunDone` after each run (a stopped run too, with ``state`` STOPPED), then
:class:`~.protocol.Finished` when every run is done or a stop was honoured, or
:class:`~.protocol.Failed` when the comparison raised or the child ended without finishing.

All RMSEs are in rating units (stars). No Qt here.
"""

from __future__ import annotations

import csv
import math
import os
import time
import traceback
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..data.ratings import Ratings
from ..data.splits import Unseen
from .process_host import ProcessHost
from .protocol import EpochDone, Failed, Finished, RunDone, State
from .spec import MAX_UNITS, ModelSpec, TrainSpec


@dataclass(frozen=True)
class CompareConfig:
    """One configuration to compare: a label, the model and how to train it (its seed is replaced)."""

    name: str
    model: ModelSpec
    training: TrainSpec


@dataclass(frozen=True, eq=False)
class RunResult:
    """One configuration trained with one seed.

    ``train_curve`` / ``test_curve``: the trainer's per-epoch history of the fine-tuning phase only
    (pre-training epochs of stacked and deep models are left out): the train RMSE measured during the
    epoch on the batches as they were trained (denoising: from corrupted inputs), the test RMSE after
    the epoch (NaN without a test set). ``train_rmse`` / ``test_rmse``: :meth:`Trainer.metrics` at the
    end (clean inputs, predictions clipped; the best weights when early stopping kept them; ``test_rmse``
    NaN without a test set). ``epochs``: fine-tuning epochs completed; ``seconds``: wall time of
    training (building the trainer excluded, per-epoch test scoring included); ``state``: ``finished``,
    ``diverged`` or ``stopped``.
    """

    config_index: int
    name: str
    seed: int
    train_curve: np.ndarray
    test_curve: np.ndarray
    train_rmse: float
    test_rmse: float
    epochs: int
    seconds: float
    state: str
    message: str


@dataclass(frozen=True)
class Summary:
    """One configuration over its runs: ``runs`` seeds; means and sample standard deviations (ddof 1,
    NaN for a single run) of the final train/test RMSE, epochs and seconds."""

    config_index: int
    name: str
    runs: int
    train_rmse_mean: float
    train_rmse_sd: float
    test_rmse_mean: float
    test_rmse_sd: float
    epochs_mean: float
    epochs_sd: float
    seconds_mean: float
    seconds_sd: float

    def to_dict(self) -> dict:
        """JSON-friendly: NaN becomes ``None``."""
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in self.__dict__.items()}


# ====================================================================== configurations
#: per-type settings a configuration gets when the current model's value would make the type moot
_TYPE_DEFAULTS = ModelSpec()


def model_for_kind(model: ModelSpec, kind: str, n_inputs: int) -> tuple[ModelSpec | None, str]:
    """``(spec, note)``: ``model`` turned into a valid ``kind`` on ``n_inputs`` inputs, or ``(None, why)``.

    The type's own settings are kept unless they would make it another type (denoising without noise,
    contractive with λ = 0, stacked/deep without pre-training: the :class:`ModelSpec` defaults then);
    basic narrows every hidden size to below the inputs; overcomplete uses one layer of twice the
    inputs when the model is not wider than them already; sparse and deep get sigmoid hidden units
    (deep a sigmoid output too, as the command line does). ``note`` says what was changed.
    """
    changes: dict = {"kind": kind}
    notes: list[str] = []
    hidden = model.hidden
    if kind == "basic" and max(hidden) >= n_inputs:
        if n_inputs < 2:
            return None, f"a basic autoencoder cannot narrow {n_inputs} input"
        changes["hidden"] = tuple(min(h, n_inputs - 1) for h in hidden)
        notes.append(f"hidden narrowed to {_sizes(changes['hidden'])}")
    elif kind == "overcomplete" and max(hidden) <= n_inputs:
        wide = min(MAX_UNITS, 2 * n_inputs)
        if wide <= n_inputs:
            return None, f"an overcomplete layer must be wider than {n_inputs} inputs (at most {MAX_UNITS} units)"
        changes["hidden"] = (wide,)
        notes.append(f"one hidden layer of {wide}")
    if kind in ("sparse", "deep") and model.activation != "sigmoid":
        changes["activation"] = "sigmoid"
        notes.append("sigmoid hidden units")
    if kind == "deep" and model.output_activation != "sigmoid":
        changes["output_activation"] = "sigmoid"
        notes.append("sigmoid output")
    if kind == "denoising" and model.noise_rate == 0:
        changes["noise_rate"] = _TYPE_DEFAULTS.noise_rate
        notes.append(f"noise rate {_TYPE_DEFAULTS.noise_rate:g}")
    if kind == "contractive" and model.contractive_weight == 0:
        changes["contractive_weight"] = _TYPE_DEFAULTS.contractive_weight
        notes.append(f"λ = {_TYPE_DEFAULTS.contractive_weight:g}")
    if kind in ("stacked", "deep") and model.pretrain_epochs == 0:
        changes["pretrain_epochs"] = _TYPE_DEFAULTS.pretrain_epochs
        notes.append(f"{_TYPE_DEFAULTS.pretrain_epochs} pre-training epochs per layer")
    try:
        return model.with_(**changes), "; ".join(notes)
    except ValueError as exc:
        return None, str(exc)


def _sizes(hidden: Sequence[int]) -> str:
    return ",".join(str(h) for h in hidden)


def config_name(model: ModelSpec) -> str:
    """``"basic 20,10"``: the type and the hidden sizes."""
    return f"{model.kind} {_sizes(model.hidden)}"


# ====================================================================== running
def run_one(train: Ratings, test: Ratings | None, config: CompareConfig, seed: int, *, config_index: int = 0,
            on_epoch: Callable[[int, float, float], None] | None = None,
            should_stop: Callable[[], bool] | None = None, test_unseen: Unseen | None = None) -> RunResult:
    """Train ``config`` with ``training.seed = seed`` on ``train``, scoring ``test`` (and the baseline's
    predictions of ``test_unseen``) after each epoch.

    ``on_epoch(epoch, train_rmse, test_rmse)`` follows each fine-tuning epoch; ``should_stop()`` is asked
    before each epoch (of any phase) and ends the run as ``stopped`` when true.
    """
    from .trainer import Trainer

    def event(e) -> None:
        if on_epoch is not None and e.kind == "epoch" and e.data["phase"] == last_phase:
            on_epoch(int(e.data["epoch"]), float(e.data["train_rmse"]), float(e.data["test_rmse"]))

    trainer = Trainer(train, config.model, config.training.with_(seed=seed), test=test, on_event=event,
                      test_unseen=test_unseen)
    last_phase = len(trainer.phases) - 1
    stopped = False
    t0 = time.perf_counter()
    while not trainer.finished:
        if should_stop is not None and should_stop():
            stopped = True
            break
        if not trainer.step_epoch():
            break
    seconds = time.perf_counter() - t0
    history = trainer.history()
    finetune = history.epoch_phase == last_phase
    metrics = trainer.metrics()
    test_rmse = metrics["test_rmse"]
    return RunResult(config_index, config.name, seed, history.epoch_train_rmse[finetune].copy(),
                     history.epoch_test_rmse[finetune].copy(), float(metrics["train_rmse"]),
                     float("nan") if test_rmse is None else float(test_rmse), int(finetune.sum()), seconds,
                     State.STOPPED if stopped else trainer.state, "stopped" if stopped else trainer.message)


def run_comparison(train: Ratings, test: Ratings | None, configs: Sequence[CompareConfig], seeds: Sequence[int],
                   on_progress: Callable[[EpochDone | RunDone], None] | None = None,
                   should_stop: Callable[[], bool] | None = None, test_unseen: Unseen | None = None
                   ) -> list[RunResult]:
    """Every configuration with every seed, one after another: seed by seed, and within a seed every
    configuration (so the first round already compares them all). ``on_progress`` receives an
    :class:`EpochDone` after each epoch and a :class:`RunDone` after each run. After a stop the results
    end with the stopped run."""
    if not configs:
        raise ValueError("nothing to compare: no configurations")
    if not seeds:
        raise ValueError("nothing to compare: no seeds")
    results: list[RunResult] = []
    for seed in seeds:
        for index, config in enumerate(configs):
            on_epoch = None
            if on_progress is not None:
                def on_epoch(epoch, tr, te, index=index, seed=seed):
                    on_progress(EpochDone(index, seed, epoch, tr, te))
            result = run_one(train, test, config, seed, config_index=index, on_epoch=on_epoch,
                             should_stop=should_stop, test_unseen=test_unseen)
            results.append(result)
            if on_progress is not None:
                on_progress(RunDone(result))
            if result.state == State.STOPPED:
                return results
    return results


def _mean_sd(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1) of the finite values; NaN where they are too few."""
    v = values[np.isfinite(values)]
    mean = float(v.mean()) if len(v) else float("nan")
    sd = float(v.std(ddof=1)) if len(v) > 1 else float("nan")
    return mean, sd


def summarise(results: Sequence[RunResult]) -> list[Summary]:
    """Per configuration (in order of ``config_index``): mean and sample standard deviation over its
    runs of the final train/test RMSE, epochs and seconds (non-finite RMSEs left out)."""
    indices = np.array([r.config_index for r in results], dtype=int)
    table = np.array([[r.train_rmse, r.test_rmse, r.epochs, r.seconds] for r in results], dtype=float).reshape(-1, 4)
    out = []
    for index in np.unique(indices).tolist():
        rows = table[indices == index]
        stats = [x for column in rows.T for x in _mean_sd(column)]
        name = next(r.name for r in results if r.config_index == index)
        out.append(Summary(index, name, len(rows), *stats))
    return out


def spread(curves: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Per epoch over curves of different lengths (runs still going, early stops): ``count`` of finite
    values, ``mean``, sample ``sd`` (NaN below two), ``low`` and ``high`` (min and max), each as long as the
    longest curve; NaN where no curve has a finite value."""
    length = max((len(c) for c in curves), default=0)
    grid = np.full((len(curves), length), np.nan)
    for row, c in zip(grid, curves):
        row[:len(c)] = c
    ok = np.isfinite(grid)
    count = ok.sum(axis=0)
    zeroed = np.where(ok, grid, 0.0)
    mean = np.divide(zeroed.sum(axis=0), count, out=np.full(length, np.nan), where=count > 0)
    squares = np.where(ok, (grid - mean) ** 2, 0.0).sum(axis=0)
    sd = np.sqrt(np.divide(squares, count - 1, out=np.full(length, np.nan), where=count > 1))
    low = np.where(count > 0, np.where(ok, grid, np.inf).min(axis=0, initial=np.inf), np.nan)
    high = np.where(count > 0, np.where(ok, grid, -np.inf).max(axis=0, initial=-np.inf), np.nan)
    return {"count": count, "mean": mean, "sd": sd, "low": low, "high": high}


# ====================================================================== CSV
def write_summary_csv(summaries: Sequence[Summary], path: str | os.PathLike) -> None:
    """One row per configuration with every :class:`Summary` field (empty cell for NaN)."""
    names = list(Summary.__dataclass_fields__)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(names)
        out.writerows([_cell(getattr(s, n)) for n in names] for s in summaries)


def write_curves_csv(results: Sequence[RunResult], path: str | os.PathLike) -> None:
    """One row per run and fine-tuning epoch: configuration, seed, epoch, train and test RMSE."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["config_index", "name", "seed", "epoch", "train_rmse", "test_rmse"])
        for r in results:
            out.writerows([r.config_index, r.name, r.seed, e + 1, _cell(a), _cell(b)]
                          for e, (a, b) in enumerate(zip(r.train_curve.tolist(), r.test_curve.tolist())))


def _cell(value) -> object:
    return "" if isinstance(value, float) and not math.isfinite(value) else value


# ====================================================================== in a process of its own
def _serve(conn, stop, train, test, configs, seeds) -> None:
    """The child: train every run and send what happens (see the module docstring)."""
    from .threads import configure

    configure(None, headless=False)
    try:
        run_comparison(train, test, configs, seeds, on_progress=conn.send, should_stop=stop.is_set)
    except Exception as exc:  # noqa: BLE001 - every failure reaches the window as a message
        traceback.print_exc()
        conn.send(Failed(f"The comparison failed: {exc}"))
    else:
        conn.send(Finished())
    finally:
        conn.close()


class ComparisonProcess(ProcessHost):
    """Runs :func:`run_comparison` in a spawned child; :meth:`messages` collects what it sends."""

    what = "comparison"

    def __init__(self, train: Ratings, test: Ratings | None, configs: Sequence[CompareConfig], seeds: Sequence[int]):
        if not configs or not seeds:
            raise ValueError("nothing to compare: choose at least one configuration and one seed")
        import multiprocessing as mp

        self._stop = mp.get_context("spawn").Event()
        super().__init__(_serve, (self._stop, train, test, list(configs), list(seeds)), name="aegui-compare",
                         duplex=False)

    def final(self, reply) -> bool:
        return isinstance(reply, (Finished, Failed))

    def ask_to_end(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        """Ask the child to stop after the epoch it is training (it then sends the run and Finished)."""
        self._stop.set()
