"""``aegui compare`` and ``aegui bench accuracy``: several types on the same split, beside the baselines."""

from __future__ import annotations

import json
import math
import sys
import time

from ..cli import UsageError
from ..core.engine.protocol import EpochDone, RunDone, State
from ..core.engine.spec import ModelSpec
from .train import _aligned_test, _load_named


def _mean_sd_text(mean: float, sd: float, digits: int = 4) -> str:
    if not math.isfinite(mean):
        return "—"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}" if math.isfinite(sd) else f"{mean:.{digits}f}"


def cmd_compare(args) -> int:
    from ..core.data.splits import split_random
    from ..core.engine import defaults
    from ..core.engine.baselines import baseline_table
    from ..core.engine.compare import CompareConfig, config_name, model_for_kind, run_comparison, summarise
    from ..core.engine.threads import configure

    if not 1 <= args.seeds <= 100:
        raise UsageError(f"--seeds must be between 1 and 100, got {args.seeds}")
    if args.epochs is not None and args.epochs < 1:
        raise UsageError(f"--epochs must be at least 1, got {args.epochs}")
    try:
        if args.hidden:
            ModelSpec(hidden=args.hidden)  # sizes in range, before the data is read
        epochs = {"epochs": args.epochs} if args.epochs else {}
        defaults.training().with_(**epochs)
        seeds = [args.seed + k for k in range(args.seeds)]
        defaults.training().with_(seed=seeds[-1])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    ratings = _load_named(args.file, args.format)
    if ratings.n_ratings == 0:
        raise UsageError(f"{args.file}: no ratings to train on")
    unseen = None
    if args.test:
        test, unseen = _aligned_test(ratings, _load_named(args.test, args.format))
    else:
        ratings, test = split_random(ratings, args.test_fraction or 0.1, seed=args.seed)
    configs = []
    for kind in args.kinds:
        model, note = defaults.model(kind, ratings.n_movies), ""
        if args.hidden:
            model, note = model_for_kind(model.with_(hidden=args.hidden), kind, ratings.n_movies)
        if model is None:
            sys.stderr.write(f"aegui: note: {kind} skipped: {note}\n")
            continue
        if note:
            sys.stderr.write(f"aegui: note: {kind}: {note}\n")
        configs.append(CompareConfig(config_name(model), model,
                                     defaults.training(kind, n_inputs=ratings.n_movies).with_(**epochs)))
    if not configs:
        raise UsageError("none of the --kinds can be built on this data")
    configure(args.threads)
    total = len(configs) * len(seeds)
    done = []
    shown = [0.0]

    def progress(message) -> None:
        now = time.perf_counter()
        if isinstance(message, RunDone):
            done.append(message.result)
        elif now - shown[0] < 0.1:
            return
        shown[0] = now
        if isinstance(message, EpochDone):
            text = (f"run {len(done) + 1}/{total}: {configs[message.config_index].name}, seed {message.seed}, "
                    f"epoch {message.epoch}")
        else:
            r = message.result
            text = f"run {len(done)}/{total}: {r.name}, seed {r.seed}: {r.state}, {r.epochs} epochs, {r.seconds:.2f}s"
        sys.stderr.write(f"\r{text:<72}")
        sys.stderr.flush()

    results = run_comparison(ratings, test, configs, seeds, on_progress=progress, test_unseen=unseen)
    sys.stderr.write("\n")
    for r in results:
        if r.state == State.DIVERGED:
            sys.stderr.write(f"aegui: {r.name}, seed {r.seed}: {r.message}\n")
    summaries = summarise(results)
    baselines = baseline_table(ratings, test, unseen)
    if args.json:
        print(json.dumps({"users": ratings.n_users, "movies": ratings.n_movies, "ratings": ratings.n_ratings,
                          "test_ratings": test.n_ratings + (len(unseen) if unseen is not None else 0),
                          "unseen_test_ratings": len(unseen) if unseen is not None else 0,
                          "baselines": baselines, "baseline_rmse": baselines["bias-only"]["test_rmse"],
                          "seeds": seeds,
                          "configs": [{**s.to_dict(), "kind": c.model.kind, "hidden": list(c.model.hidden)}
                                      for s, c in zip(summaries, configs)]}))
    else:
        width = max(13, *(len(s.name) for s in summaries))
        print(f"{'configuration':<{width}}  seeds  {'train RMSE':<17}  {'test RMSE':<17}  epochs  seconds")
        for name, b in baselines.items():
            print(f"{name + ' baseline':<{width}}  {'':>5}  {b['train_rmse']:<17.4f}  {b['test_rmse']:<17.4f}  "
                  f"{'':>6}  {'':>7}")
        for s in summaries:
            print(f"{s.name:<{width}}  {s.runs:>5}  {_mean_sd_text(s.train_rmse_mean, s.train_rmse_sd):<17}  "
                  f"{_mean_sd_text(s.test_rmse_mean, s.test_rmse_sd):<17}  {s.epochs_mean:>6.1f}  {s.seconds_mean:>7.2f}")
    return 0


def cmd_bench_accuracy(args) -> int:
    from ..accuracy import MODELS, print_json, print_table, run_accuracy, splits_for
    from ..core.engine.threads import configure

    if not args.file:
        raise UsageError("bench accuracy needs a ratings file (or a demo set name)")
    if not 1 <= args.seeds <= 100:
        raise UsageError(f"--seeds must be between 1 and 100, got {args.seeds}")
    ratings = _load_named(args.file, args.format)
    if ratings.n_ratings == 0:
        raise UsageError(f"{args.file}: no ratings to train on")
    test = unseen = None
    if args.test:
        test, unseen = _aligned_test(ratings, _load_named(args.test, args.format))
    models = MODELS if not args.kinds else tuple(m for m in MODELS if m[0] in args.kinds)
    configure(args.threads)

    def progress(text: str) -> None:
        sys.stderr.write(f"\r{text:<72}")
        sys.stderr.flush()

    rows = run_accuracy(splits_for(ratings, args.seeds, test, unseen, args.test_fraction or 0.1), models, progress)
    sys.stderr.write("\n")
    meta = {"file": args.file, "users": ratings.n_users, "movies": ratings.n_movies, "ratings": ratings.n_ratings,
            "seeds": args.seeds, "split": "file" if test is not None else f"random {args.test_fraction or 0.1:g}"}
    (print_json if args.json else lambda r, m: print_table(r))(rows, meta)
    return 0
