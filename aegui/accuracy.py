"""``aegui bench accuracy``: held-out RMSE of every autoencoder type with its real-data defaults
(:mod:`aegui.core.engine.defaults`), beside the three baselines (:mod:`aegui.core.engine.baselines`).

Each seed ``k`` trains every model once (``training.seed = k``); with ``--test-fraction`` seed ``k``
also draws its own random split, so the spread covers splits as well as initialisations. Per model:
test RMSE mean ± sample sd over seeds, and seconds of training. No Qt here.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass

import numpy as np

from .core.data.ratings import Ratings
from .core.data.splits import Unseen
from .core.engine.spec import KINDS

#: what the benchmark trains: every type user-based, and I-AutoRec (item-based basic)
MODELS = tuple((kind, False) for kind in KINDS) + (("basic", True),)


@dataclass(frozen=True)
class Row:
    """One model (or baseline) over the seeds: test RMSE per seed and seconds per seed (empty for baselines)."""

    name: str
    test_rmse: tuple[float, ...]
    seconds: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        mean, sd = _mean_sd(self.test_rmse)
        out = {"name": self.name, "test_rmse_mean": mean, "test_rmse_sd": sd, "test_rmse": list(self.test_rmse)}
        if self.seconds:
            out["seconds_mean"] = float(np.mean(self.seconds))
        return out


def _mean_sd(values) -> tuple[float | None, float | None]:
    v = np.asarray([x for x in values if math.isfinite(x)], dtype=float)
    if not len(v):
        return None, None
    return float(v.mean()), (float(v.std(ddof=1)) if len(v) > 1 else None)


def model_name(kind: str, item_based: bool, hidden) -> str:
    return f"{kind} {','.join(map(str, hidden))}" + (" item-based" if item_based else "")


def run_accuracy(splits, models=MODELS, on_progress=None) -> list[Row]:
    """``splits``: one ``(seed, train, test, unseen)`` per seed. Returns the three baselines' rows, then
    one row per model of ``models`` (``(kind, item_based)`` pairs)."""
    from .core.engine import defaults
    from .core.engine.baselines import NAMES, baseline_table
    from .core.engine.compare import CompareConfig, run_one

    baselines: dict[str, list[float]] = {name: [] for name in NAMES}
    results: dict[int, list] = {k: [] for k in range(len(models))}
    names: list[str] = []
    for seed, train, test, unseen in splits:
        table = baseline_table(train, test, unseen)
        for name in NAMES:
            baselines[name].append(float(table[name]["test_rmse"]))
        names = []
        for index, (kind, item_based) in enumerate(models):
            n_inputs = train.n_users if item_based else train.n_movies
            spec = defaults.model(kind, n_inputs, item_based)
            names.append(model_name(kind, item_based, spec.hidden))
            config = CompareConfig(names[-1], spec, defaults.training(kind, item_based, n_inputs))
            if on_progress is not None:
                on_progress(f"seed {seed}: {names[-1]}")
            results[index].append(run_one(train, test, config, seed, test_unseen=unseen))
    rows = [Row(f"{name} baseline", tuple(values)) for name, values in baselines.items()]
    rows += [Row(names[k], tuple(r.test_rmse for r in runs), tuple(r.seconds for r in runs))
             for k, runs in results.items()]
    return rows


def splits_for(ratings: Ratings, seeds: int, test: Ratings | None = None, unseen: Unseen | None = None,
               fraction: float = 0.1):
    """One ``(seed, train, test, unseen)`` per seed: the given test set each time, or a random split
    of ``fraction`` drawn with that seed."""
    from .core.data.splits import split_random

    for seed in range(seeds):
        if test is not None:
            yield seed, ratings, test, unseen
        else:
            train, held = split_random(ratings, fraction, seed=seed)
            yield seed, train, held, None


def print_table(rows: list[Row], out=sys.stdout) -> None:
    width = max(len(r.name) for r in rows)
    out.write(f"{'model':<{width}}  {'test RMSE':<17}  seconds\n")
    for r in rows:
        mean, sd = _mean_sd(r.test_rmse)
        text = "—" if mean is None else f"{mean:.4f}" + (f" ± {sd:.4f}" if sd is not None else "")
        secs = f"{np.mean(r.seconds):7.1f}" if r.seconds else ""
        out.write(f"{r.name:<{width}}  {text:<17}  {secs}\n")


def print_json(rows: list[Row], meta: dict, out=sys.stdout) -> None:
    out.write(json.dumps({**meta, "rows": [r.to_dict() for r in rows]}) + "\n")
