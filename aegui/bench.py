"""``aegui bench``: speed and memory of the engine, as ratios against baselines run in the same process.

* ``tutorial_s_per_epoch``: the classic per-user loop as tutorials write it (an ``nn.Module`` stacked
  autoencoder, one autograd step and one ``torch.optim.RMSprop`` step per user, ``output[target == 0] = 0``);
* ``online_s_per_epoch`` / ``minibatch_s_per_epoch``: this engine, one update per user and per 32 users
  (the three run in interleaved rounds and the best round of each counts, so that the machine's other
  load does not fall on one side only);
* ``load_1m_s`` / ``load_10m_s``: reading ML-1M- and ML-10M-shaped ``ratings.dat`` files;
* ``peak_mb_10m``: peak resident memory of a fresh process that loads the 10M file and trains one
  mini-batch epoch on it (never building the 70k × 10.7k matrix).

All on MovieLens-shaped synthetic data (943 × 1682, 100,000 ratings; network 1682-20-10-20-1682, RMSprop).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable


def tutorial_epoch(ratings) -> Callable[[], float]:
    """One epoch of the tutorials' per-user loop (the baseline), as a function returning its seconds."""
    import numpy as np
    import torch
    from torch import nn

    class SAE(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.fc1, self.fc2, self.fc3, self.fc4 = nn.Linear(m, 20), nn.Linear(20, 10), nn.Linear(10, 20), nn.Linear(20, m)
            self.activation = nn.Sigmoid()

        def forward(self, x):
            x = self.activation(self.fc1(x))
            x = self.activation(self.fc2(x))
            x = self.activation(self.fc3(x))
            return self.fc4(x)

    torch.manual_seed(0)
    training_set = torch.from_numpy(ratings.to_dense())
    nb_users, nb_movies = training_set.shape
    sae = SAE(nb_movies)
    criterion = nn.MSELoss()
    optimizer = torch.optim.RMSprop(sae.parameters(), lr=0.01, weight_decay=0.5)

    def epoch(users):
        train_loss, s = 0.0, 0.0
        for id_user in users:
            input = training_set[id_user].unsqueeze(0)
            target = input.clone()
            if torch.sum(target.data > 0) > 0:
                output = sae(input)
                target.require_grad = False
                output[target == 0] = 0
                loss = criterion(output, target)
                mean_corrector = nb_movies / float(torch.sum(target.data > 0) + 1e-10)
                loss.backward()
                train_loss += np.sqrt(loss.item() * mean_corrector)
                s += 1.0
                optimizer.step()
        return train_loss / max(s, 1)

    epoch(range(min(50, nb_users)))  # warm-up: the first optimiser step imports torch._dynamo

    def run() -> float:
        t0 = time.perf_counter()
        epoch(range(nb_users))
        return time.perf_counter() - t0
    return run


def engine_epoch(ratings, mode: str, epochs: int = 1) -> Callable[[], float]:
    """``epochs`` epochs of this engine (after a warm-up epoch), as a function returning seconds per epoch."""
    from .core.engine.spec import ModelSpec, TrainSpec
    from .core.engine.trainer import Trainer

    trainer = Trainer(ratings, ModelSpec(kind="basic", hidden=(20, 10)),
                      TrainSpec(mode=mode, batch_size=32, optimizer="rmsprop", lr=0.001, epochs=1_000_000))
    trainer.step_epoch()

    def run() -> float:
        t0 = time.perf_counter()
        for _ in range(epochs):
            trainer.step_epoch()
        return (time.perf_counter() - t0) / epochs
    return run


def load_seconds(ratings, folder: Path, name: str) -> tuple[float, Path]:
    from .core.data.readers import load_ratings, write_movielens

    path = folder / name
    write_movielens(ratings, path, "ml-dat")
    t0 = time.perf_counter()
    loaded = load_ratings(path)
    seconds = time.perf_counter() - t0
    assert loaded.n_ratings == ratings.n_ratings
    return seconds, path


def _child_10m(path: str) -> None:
    """In a fresh process: load, train one mini-batch epoch, print times and peak memory as JSON."""
    from .core.data.readers import load_ratings
    from .core.engine.spec import ModelSpec, TrainSpec
    from .core.engine.threads import configure
    from .core.engine.trainer import Trainer

    configure(None)
    t0 = time.perf_counter()
    ratings = load_ratings(path)
    load_s = time.perf_counter() - t0
    trainer = Trainer(ratings, ModelSpec(kind="basic", hidden=(20, 10)),
                      TrainSpec(mode="minibatch", batch_size=32, optimizer="rmsprop", lr=0.001, epochs=1))
    t1 = time.perf_counter()
    trainer.step_epoch()
    train_s = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"load_s": load_s, "epoch_s": train_s, "peak_mb": peak_mb}))


def run_engine_bench(json_line: bool = False, quick: bool = False) -> int:
    from .core.data.demo import ml1m_like, ml10m_like, ml100k_like, synthetic
    from .core.engine.threads import configure

    threads = configure(None)
    if quick:
        small = synthetic(120, 200, n_ratings=4000, seed=0)
        big_1m, big_10m = synthetic(500, 400, n_ratings=20_000, seed=1), synthetic(800, 600, n_ratings=40_000, seed=2)
        rounds = 1
    else:
        small = ml100k_like(seed=0)
        big_1m, big_10m = ml1m_like(seed=0), None
        rounds = 3
    report = {"threads": threads, "users": small.n_users, "movies": small.n_movies, "ratings": small.n_ratings}
    runners = {"tutorial_s_per_epoch": tutorial_epoch(small), "online_s_per_epoch": engine_epoch(small, "online"),
               "minibatch_s_per_epoch": engine_epoch(small, "minibatch", epochs=5)}
    # interleaved rounds, best of each: the machine's other load falls on all three alike
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(rounds):
        for key, runner in runners.items():
            best[key] = min(best[key], runner())
    report.update(best)
    report["online_speedup"] = report["tutorial_s_per_epoch"] / report["online_s_per_epoch"]
    report["minibatch_speedup"] = report["tutorial_s_per_epoch"] / report["minibatch_s_per_epoch"]
    with tempfile.TemporaryDirectory(prefix="aegui-bench-") as tmp:
        report["load_1m_s"], _ = load_seconds(big_1m, Path(tmp), "ratings_1m.dat")
        del big_1m
        if big_10m is None:
            big_10m = ml10m_like(seed=0)
        from .core.data.readers import write_movielens

        path_10m = Path(tmp) / "ratings_10m.dat"
        write_movielens(big_10m, path_10m, "ml-dat")
        report["ratings_10m"] = big_10m.n_ratings
        del big_10m
        child = subprocess.run([sys.executable, "-c", f"from aegui.bench import _child_10m; _child_10m({str(path_10m)!r})"],
                               capture_output=True, text=True, env={**os.environ, "AEGUI_THREADS": str(threads)})
        if child.returncode != 0:
            sys.stderr.write(child.stderr)
            return 1
        out = json.loads(child.stdout.strip().splitlines()[-1])
        report["load_10m_s"], report["epoch_10m_s"], report["peak_mb_10m"] = out["load_s"], out["epoch_s"], out["peak_mb"]
    report = {k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in report.items()}
    if json_line:
        print(json.dumps(report))
        return 0
    rows = [("per-user loop (tutorial)", report["tutorial_s_per_epoch"], 1.0),
            ("engine, online (1 user/update)", report["online_s_per_epoch"], report["online_speedup"]),
            ("engine, mini-batch 32", report["minibatch_s_per_epoch"], report["minibatch_speedup"])]
    print(f"{small.n_users} users × {small.n_movies} movies, {small.n_ratings} ratings; "
          f"network {small.n_movies}-20-10-20-{small.n_movies}, RMSprop; torch threads: {threads}")
    print(f"{'':34}{'s/epoch':>10}{'speed-up':>10}")
    for name, sec, ratio in rows:
        print(f"{name:34}{sec:10.4f}{ratio:9.1f}×")
    print(f"load 1M-rating ratings.dat: {report['load_1m_s']:.2f} s (target < 2 s)")
    print(f"load {report['ratings_10m']:,}-rating ratings.dat: {report['load_10m_s']:.2f} s (target < 10 s); "
          f"one mini-batch epoch on it {report['epoch_10m_s']:.1f} s; peak memory {report['peak_mb_10m']:.0f} MB "
          f"(target < 2048 MB)")
    return 0
