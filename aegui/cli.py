"""The command line: ``aegui`` opens the window; ``inspect``, ``train``, ``recommend`` and ``bench`` work
headless over the same core.

Exit status: 0 success, 2 bad arguments or bad input (the message says what and where), 1 anything
else. Heavy modules (torch, Qt) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

from .core.engine.protocol import EpochDone, RunDone, State
from .core.engine.spec import ACTIVATIONS, KINDS, NOISES, OPTIMIZERS, ModelSpec, TrainSpec



class UsageError(Exception):
    """A bad argument: printed as ``aegui: error: …`` with exit status 2."""


def _hidden(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s) for s in text.replace(" ", "").split(",") if s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden expects sizes like 20,10, got {text!r}") from None
    if not sizes:
        raise argparse.ArgumentTypeError("--hidden needs at least one size")
    return sizes


def _threads(text: str) -> int:
    import os

    most = 4 * (os.cpu_count() or 1)
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--threads expects a whole number, got {text!r}") from None
    if not 1 <= value <= most:
        raise argparse.ArgumentTypeError(f"--threads must be between 1 and {most} (4 per core), got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text}")
    return value


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k for k in text.replace(" ", "").split(",") if k)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"--kinds expects types from {','.join(KINDS)}, got {text!r}")
    return tuple(dict.fromkeys(kinds))


def _demo_names() -> list[str]:
    from .core.data.demo import DEMO_SETS

    return list(DEMO_SETS)


def build_parser() -> argparse.ArgumentParser:
    from .core.data.readers import FORMATS

    p = argparse.ArgumentParser(prog="aegui", description="A visual trainer for autoencoders on ratings grids.")
    p.add_argument("--preset", help="open the window on a preset (e.g. seed-example)")
    p.add_argument("--screenshot", metavar="PNG", help="render the window to a PNG and exit")
    p.add_argument("--train-seconds", type=float, default=0.0, help="with --screenshot: train this long first")
    p.add_argument("--show", default="", metavar="PANELS",
                   help="with --screenshot: bring these panels forward first (comma separated, e.g. User,Latent)")
    p.add_argument("--presenter", action="store_true",
                   help="start in presenter mode: full screen for a projector (F11 or Esc leaves it)")
    p.add_argument("--open", dest="file", metavar="FILE", help="a ratings file or session to open in the window")
    p.add_argument("--version", action="store_true",
                   help="print the versions of aegui, Python, torch, Qt and the other libraries, and exit")
    p.add_argument("--install-desktop-entry", action="store_true",
                   help="add aegui to the desktop's application menu (under $XDG_DATA_HOME, default "
                        "~/.local/share), with its icon, and exit")
    sub = p.add_subparsers(dest="command")

    ins = sub.add_parser("inspect", help="print a one-line JSON summary of a ratings file")
    ins.add_argument("file")
    ins.add_argument("--format", choices=FORMATS, help="force the file format (default: detected)")

    tr = sub.add_parser("train", help="train an autoencoder headless and report RMSE")
    tr.add_argument("file")
    tr.add_argument("--format", choices=FORMATS)
    split = tr.add_mutually_exclusive_group()
    split.add_argument("--test", metavar="FILE", help="held-out ratings file (MovieLens style, e.g. u1.test)")
    split.add_argument("--test-fraction", type=_fraction, help="hold out this fraction of the ratings")
    tr.add_argument("--type", choices=KINDS, default="basic")
    tr.add_argument("--hidden", type=_hidden, help="encoder sizes, e.g. 20,10 (default: the type's, see the README)")
    tr.add_argument("--activation", choices=ACTIVATIONS, help="hidden units (default tanh; sigmoid for sparse and deep)")
    tr.add_argument("--output-activation", choices=ACTIVATIONS, help="default identity")
    tr.add_argument("--raw", action="store_true",
                    help="inputs x = rating/5 as in the seed, not centred on the bias-only baseline")
    tr.add_argument("--input-scale", type=float, help="s in x = (r − b)/s (default 1; 5 with --raw)")
    tr.add_argument("--epochs", type=int, help="maximum epochs (default 150, early stopping)")
    mode = tr.add_mutually_exclusive_group()
    mode.add_argument("--batch-size", type=int, help="mini-batch size (default 32; 64 item-based)")
    mode.add_argument("--online", action="store_true", help="update after each observation")
    mode.add_argument("--full-batch", action="store_true", help="one update per epoch")
    tr.add_argument("--optimizer", choices=OPTIMIZERS)
    tr.add_argument("--lr", type=float)
    tr.add_argument("--weight-decay", type=float)
    tr.add_argument("--momentum", type=float)
    tr.add_argument("--item-based", action="store_true", help="movies as observations (I-AutoRec)")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--validation-fraction", type=float, help="slice of the training ratings for early stopping")
    tr.add_argument("--patience", type=int, help="epochs without validation improvement before stopping (0: never)")
    tr.add_argument("--rho", type=float, help="sparse: target mean activation ρ")
    tr.add_argument("--beta", type=float, help="sparse: KL weight β")
    tr.add_argument("--l1", type=float, help="sparse: L1 weight on code activations")
    tr.add_argument("--noise", choices=NOISES, help="denoising: masking or Gaussian noise")
    tr.add_argument("--noise-rate", type=float, help="denoising: masking probability or Gaussian σ")
    tr.add_argument("--contractive-weight", type=float, help="contractive: λ")
    tr.add_argument("--pretrain-epochs", type=int, help="stacked/deep: epochs per pre-trained layer")
    tr.add_argument("--cd-k", type=int, help="deep: Gibbs steps of contrastive divergence")
    tr.add_argument("--rbm-lr", type=float, help="deep: RBM learning rate")
    tr.add_argument("--threads", type=_threads, help="torch threads (default: one core fewer than the machine has, at least 1)")
    tr.add_argument("--device", default="cpu", help="cpu, or cuda when present")
    tr.add_argument("--save", metavar="SESSION", help="save the trained session (.aegui)")
    tr.add_argument("--json", action="store_true", help="print one JSON line with the results")

    co = sub.add_parser("compare", help="train several autoencoder types on the same split and compare them")
    co.add_argument("file", metavar="RATINGS", help="a ratings file, or a demo set: " + ", ".join(_demo_names()))
    co.add_argument("--format", choices=FORMATS)
    co.add_argument("--kinds", type=_kinds, default=("basic", "denoising", "sparse"),
                    help=f"comma-separated types to compare (default basic,denoising,sparse; from {','.join(KINDS)})")
    co.add_argument("--hidden", type=_hidden, help="encoder sizes, e.g. 20,10 (default: each type's own)")
    co.add_argument("--epochs", type=int, help="maximum epochs (default 150, early stopping)")
    co.add_argument("--seeds", type=int, default=1, help="runs per type, with seeds --seed, --seed+1, … (default 1)")
    co.add_argument("--seed", type=int, default=0, help="the first seed; the test split uses it too")
    csplit = co.add_mutually_exclusive_group()
    csplit.add_argument("--test", metavar="FILE", help="held-out ratings file (MovieLens style, e.g. u1.test)")
    csplit.add_argument("--test-fraction", type=_fraction,
                        help="hold out this fraction of the ratings (default 0.1 unless --test)")
    co.add_argument("--threads", type=_threads, help="torch threads (default: one core fewer than the machine has, at least 1)")
    co.add_argument("--json", action="store_true", help="print one JSON line with every configuration's summary")

    rec = sub.add_parser("recommend", help="a user's unrated movies with predicted ratings, best first")
    rec.add_argument("session")
    rec.add_argument("--user", required=True, help="the user's id as in the ratings file")
    rec.add_argument("--top", type=int, default=10)
    rec.add_argument("--min-ratings", type=int, metavar="K",
                     help="recommend only movies with at least K training ratings (default: min(10, the median "
                          "count per movie, half the most-rated movie's count), at least 1; 0: no minimum)")
    rec.add_argument("--json", action="store_true")

    ex = sub.add_parser("export", help="write a session's network as a torch state dict (.pt) and a JSON "
                                       "description of its layers, loadable with plain torch")
    ex.add_argument("session")
    ex.add_argument("out", help="the .pt file to write (the .json goes beside it)")

    be = sub.add_parser("bench", help="speed benchmarks (ratios against baselines in the same process), and "
                                      "held-out accuracy of every type against the baselines")
    be.add_argument("what", nargs="?", default="engine", choices=("engine", "ui", "accuracy"),
                    help="engine: training and loading speed; ui: the window's responsiveness while training; "
                         "accuracy FILE: test RMSE of every type with its defaults beside the baselines")
    be.add_argument("file", nargs="?", help="accuracy: a ratings file, or a demo set")
    be.add_argument("--format", choices=FORMATS)
    bsplit = be.add_mutually_exclusive_group()
    bsplit.add_argument("--test", metavar="FILE", help="accuracy: held-out ratings file (e.g. u1.test)")
    bsplit.add_argument("--test-fraction", type=_fraction, help="accuracy: hold out this fraction, a new random "
                                                                "split per seed (default 0.1)")
    be.add_argument("--seeds", type=int, default=3, help="accuracy: seeds (and splits) per model (default 3)")
    be.add_argument("--kinds", type=_kinds, help="accuracy: only these types (default all, and item-based basic)")
    be.add_argument("--threads", type=_threads, help="torch threads")
    be.add_argument("--json", action="store_true")
    be.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")

    rc = sub.add_parser("record", help="record the window training (or walking the steps) to an animated GIF, "
                                       "an animated PNG or an MP4, for slides")
    rc.add_argument("out", metavar="OUT", help="OUT.gif, OUT.png (animated PNG) or OUT.mp4 (needs the mp4 extra)")
    rc.add_argument("file", nargs="?", metavar="FILE", help="a ratings file or session to record (or --preset)")
    rc.add_argument("--preset", dest="record_preset", metavar="NAME", help="a preset to record (default: the demo)")
    rc.add_argument("--seconds", type=float, default=6.0, help="how long to record (default 6)")
    rc.add_argument("--view", choices=("network", "window"), default="network",
                    help="the network view (default) or the whole window")
    rc.add_argument("--fps", type=float, default=15.0, help="frames a second (default 15, at most 50)")
    rc.add_argument("--size", metavar="WxH", help="frame size in pixels, e.g. 960x540 (default: as laid out, "
                                                 "the network view about 900x700)")
    rc.add_argument("--steps", action="store_true",
                    help="step one observation at a time (steps 2–8 in slow motion) instead of training at speed")

    from .core.data.fetch import MOVIELENS_SETS

    fe = sub.add_parser("fetch", help="download, check and unpack a GroupLens MovieLens set, then print the "
                                      "path of its ratings file (the licence is shown first)")
    fe.add_argument("name", choices=tuple(MOVIELENS_SETS))
    fe.add_argument("--dir", metavar="DIR", help="unpack into DIR (default: the platform's cache folder)")
    return p


# ---------------------------------------------------------------------------------------------- commands
def cmd_inspect(args) -> int:
    from .core.data.readers import load_ratings

    ratings = load_ratings(args.file, format=args.format)
    print(json.dumps(ratings.summary()))
    return 0


def specs_from_args(args, n_inputs: int) -> tuple[ModelSpec, TrainSpec]:
    """The model and training settings the command line asks for on data with ``n_inputs`` inputs
    (movies; users when item-based): the real-data defaults of :mod:`aegui.core.engine.defaults` with
    the options given on top, validated."""
    from .core.engine import defaults
    from .core.engine.spec import RATING_SCALE

    model_kw = defaults.model(args.type, n_inputs, args.item_based).to_dict()
    if args.raw:  # the seed's picture: x = r/5, no baseline
        model_kw.update(centered=False, input_scale=RATING_SCALE)
    for arg, name in (("hidden", "hidden"), ("activation", "activation"), ("output_activation", "output_activation"),
                      ("input_scale", "input_scale"), ("rho", "sparsity_target"), ("beta", "sparsity_weight"),
                      ("l1", "l1_weight"), ("noise", "noise"), ("noise_rate", "noise_rate"),
                      ("contractive_weight", "contractive_weight"), ("pretrain_epochs", "pretrain_epochs"),
                      ("cd_k", "cd_k"), ("rbm_lr", "rbm_lr")):
        if getattr(args, arg) is not None:
            model_kw[name] = getattr(args, arg)
    train_kw = {"seed": args.seed}
    if args.online:
        train_kw["mode"] = "online"
    elif args.full_batch:
        train_kw["mode"] = "batch"
    elif args.batch_size is not None:
        train_kw.update(mode="minibatch", batch_size=args.batch_size)
    for arg in ("optimizer", "lr", "weight_decay", "momentum", "epochs", "validation_fraction", "patience"):
        if getattr(args, arg) is not None:
            train_kw[arg] = getattr(args, arg)
    try:
        model = ModelSpec.from_dict(model_kw)
        model.check_size(n_inputs)
        return model, defaults.training(args.type, args.item_based, n_inputs).with_(**train_kw)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


class _Progress:
    """A one-line progress bar on stderr, redrawn at most 10 times a second."""

    def __init__(self, total_epochs: int):
        self.total = max(1, total_epochs)
        self.last = 0.0
        self.t0 = time.perf_counter()

    def __call__(self, event) -> None:
        if event.kind != "epoch":
            return
        now = time.perf_counter()
        if now - self.last < 0.1:
            return
        self.last = now
        d = event.data
        done = min(1.0, d["epoch"] / self.total)
        bar = "#" * int(done * 30)
        extra = "".join(f" {k.split('_')[0]} {d[k]:.4f}" for k in ("train_rmse", "val_rmse", "test_rmse")
                        if d.get(k) is not None and math.isfinite(d[k]))
        sys.stderr.write(f"\r[{bar:<30}] {event.message}{extra} {now - self.t0:5.1f}s ")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def cmd_train(args) -> int:
    from .core.data.readers import load_ratings
    from .core.data.splits import split_random
    from .core.engine.threads import configure

    ratings = load_ratings(args.file, format=args.format)
    if ratings.n_ratings == 0:
        raise UsageError(f"{args.file}: no ratings to train on")
    model, training = specs_from_args(args, ratings.n_users if args.item_based else ratings.n_movies)
    test, unseen = None, None
    if args.test:
        test, unseen = _aligned_test(ratings, load_ratings(args.test, format=args.format))
    elif args.test_fraction:
        ratings, test = split_random(ratings, args.test_fraction, seed=args.seed)
    configure(args.threads)
    import torch

    from .core.engine.trainer import Trainer

    if args.device != "cpu" and not (args.device.startswith("cuda") and torch.cuda.is_available()):
        raise UsageError(f"device {args.device!r} is not available here (use cpu)")
    warning = model.shape_warning(model.n_inputs(ratings))
    if warning:
        sys.stderr.write(f"aegui: note: {warning}\n")
    total_epochs = training.epochs + (model.pretrain_epochs * len(model.hidden)
                                      if model.kind in ("stacked", "deep") else 0)
    progress = _Progress(total_epochs)
    trainer = Trainer(ratings, model, training, test=test, device=args.device, on_event=progress,
                      test_every_epoch=False, test_unseen=unseen)
    t0 = time.perf_counter()
    state = trainer.run()
    seconds = time.perf_counter() - t0
    progress.close()
    if state == State.DIVERGED:
        sys.stderr.write(f"aegui: {trainer.message}\n")
    metrics = trainer.metrics()
    result = {"type": model.kind, "item_based": model.item_based, "hidden": list(model.hidden),
              "users": ratings.n_users, "movies": ratings.n_movies, "ratings": ratings.n_ratings,
              "test_ratings": (test.n_ratings + len(trainer.test_unseen)) if test is not None else 0,
              "unseen_test_ratings": len(trainer.test_unseen),
              "epochs": int((trainer.history().epoch_phase == len(trainer.phases) - 1).sum()),
              "seconds": round(seconds, 3), "state": state, "message": trainer.message,
              "train_rmse": metrics["train_rmse"], "val_rmse": metrics["val_rmse"], "test_rmse": metrics["test_rmse"],
              "baseline_rmse": trainer.baseline_rmse()["test"] if test is not None else None}
    if model.kind == "sparse":
        from .core.engine.predict import dormant_units

        result["dormant_units"] = dormant_units(trainer.network, trainer.inputs, len(model.hidden),
                                                model.sparsity_target)
    if args.save:
        from .core.session import save_session, session_from_trainer

        save_session(args.save, session_from_trainer(trainer, name=args.save))
    if args.json:
        print(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                          for k, v in result.items()}))
    else:
        for k in ("type", "users", "movies", "ratings", "epochs", "seconds", "train_rmse", "val_rmse", "test_rmse",
                  "baseline_rmse"):
            if result[k] is not None:
                print(f"{k:>11}: {result[k]:.4f}" if isinstance(result[k], float) else f"{k:>11}: {result[k]}")
    return 1 if state == State.DIVERGED else 0


def _aligned_test(train, test):
    """``align(train, test)``, saying on stderr how many test ratings the baseline will predict."""
    from .core.data.splits import align

    aligned, unseen = align(train, test)
    if len(unseen):
        sys.stderr.write(f"aegui: {len(unseen)} test ratings of users or movies absent from training are "
                         "predicted by the bias-only baseline\n")
    return aligned, unseen


def _load_named(name: str, format: str | None):
    """A ratings file, or the demo set called ``name`` when no such file exists."""
    import os

    from .core.data.demo import DEMO_SETS, load_demo
    from .core.data.readers import load_ratings

    if name in DEMO_SETS and not os.path.exists(name):
        return load_demo(name)
    return load_ratings(name, format=format)


def _mean_sd_text(mean: float, sd: float, digits: int = 4) -> str:
    if not math.isfinite(mean):
        return "—"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}" if math.isfinite(sd) else f"{mean:.{digits}f}"


def cmd_compare(args) -> int:
    from .core.data.splits import split_random
    from .core.engine import defaults
    from .core.engine.baselines import baseline_table
    from .core.engine.compare import CompareConfig, config_name, model_for_kind, run_comparison, summarise
    from .core.engine.threads import configure

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


def cmd_recommend(args) -> int:
    from .core.engine.threads import configure
    from .core.session import load_session, trainer_from_session
    from .core.engine.predict import recommend, resolve_min_ratings, user_predictions

    session = load_session(args.session)
    if session.weights is None:
        raise UsageError(f"{args.session}: the session holds no trained weights")
    ids = session.ratings.user_ids
    try:
        user = ids.index(str(args.user))
    except ValueError:
        raise UsageError(f"user {args.user!r} is not in {args.session} ({len(ids)} users, e.g. {ids[0]!r})") from None
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    if args.min_ratings is not None and args.min_ratings < 0:
        raise UsageError("--min-ratings cannot be negative")
    least = resolve_min_ratings(args.min_ratings, session.ratings.ratings_per_movie)
    configure(None)
    trainer = trainer_from_session(session)
    predictions = user_predictions(trainer.network, trainer.prediction_inputs, user, session.model.item_based)
    picks = recommend(predictions, session.ratings, user, args.top, least)
    rows = [{"movie_id": session.ratings.movie_ids[p.movie], "title": session.ratings.movie_titles[p.movie],
             "predicted": round(p.predicted, 3), "n_ratings": p.n_ratings, "clipped": p.clipped} for p in picks]
    if args.json:
        print(json.dumps({"user": args.user, "min_ratings": least, "recommendations": rows}))
    else:
        for r in rows:
            mark = "▲" if r["clipped"] else " "
            print(f"{r['predicted']:.2f} {mark}  {r['n_ratings']:>6} ratings  {r['title']}  (id {r['movie_id']})")
        note = f"aegui: movies with at least {least} training rating{'' if least == 1 else 's'}"
        if any(r["clipped"] for r in rows):
            note += "; ▲: predicted above the top of the scale (ranked by the unclipped value)"
        sys.stderr.write(note + "\n")
    return 0


def cmd_export(args) -> int:
    from .core.session import load_session, trainer_from_session

    session = load_session(args.session)
    if session.weights is None:
        raise UsageError(f"{args.session}: the session holds no trained weights")
    for path in trainer_from_session(session).export_model(args.out):
        print(path)
    return 0


def cmd_bench_accuracy(args) -> int:
    from .accuracy import MODELS, print_json, print_table, run_accuracy, splits_for
    from .core.engine.threads import configure

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


def cmd_bench(args) -> int:
    if args.what == "accuracy":
        return cmd_bench_accuracy(args)
    if args.what == "ui":
        from .qt.bench_ui import run_ui_bench

        return run_ui_bench(json_line=args.json, seconds=1.0 if args.quick else 10.0)
    from .bench import run_engine_bench

    return run_engine_bench(json_line=args.json, quick=args.quick)


def cmd_fetch(args) -> int:
    from .core.data.fetch import Progress, fetch_movielens, licence_text

    import textwrap

    for paragraph in licence_text(args.name).splitlines():
        sys.stderr.write(textwrap.fill(paragraph, 100) + "\n")
    shown = {"at": 0.0, "last": None}

    def bar(done: int, total: int) -> None:  # one line on stderr, redrawn at most 10 times a second
        now = time.perf_counter()
        if (done, total) == shown["last"] or (now - shown["at"] < 0.1 and done != total):
            return
        shown.update(at=now, last=(done, total))
        text = f"{done / 1024:,.0f} of {total / 1024:,.0f} kB" if total else f"{done / 1024:,.0f} kB"
        filled = int(30 * done / total) if total else 0
        sys.stderr.write(f"\r[{'#' * filled:<30}] {text} ")
        sys.stderr.flush()

    try:
        path = fetch_movielens(args.name, args.dir, progress=Progress(bar))
    finally:
        if shown["last"] is not None:
            sys.stderr.write("\n")
    print(path)
    return 0


def _numpy_on_one_thread() -> None:
    """The window's numpy work (projections, histograms) runs on one BLAS thread: the trainer's
    process has the cores, and a multi-threaded product fighting it for them stalls (measured: a PCA of
    6,040 codes took 220–420 ms instead of 60). Must run before numpy is imported."""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def cmd_record(args) -> int:
    """Check every argument before the window opens (nothing is created on a bad one), then record."""
    import os

    from .core.animation import AnimationError, check_format, check_fps, check_target, parse_size
    from .core.presets import PRESETS

    try:
        check_format(args.out)
        check_fps(args.fps)
        size = parse_size(args.size) if args.size else None
        check_target(args.out)
    except AnimationError as exc:
        raise UsageError(str(exc)) from None
    if not 0 < args.seconds <= 600:
        raise UsageError(f"--seconds must be above 0 and at most 600, got {args.seconds:g}")
    if args.file and args.record_preset:
        raise UsageError("give a FILE or --preset, not both")
    if args.record_preset is not None and args.record_preset not in PRESETS:
        raise UsageError(f"unknown preset {args.record_preset!r}; choose one of {', '.join(PRESETS)}")
    if args.file and not os.path.isfile(args.file):
        raise UsageError(f"{args.file}: no such file")
    try:
        from .qt.app import run_record
    except ImportError as exc:
        sys.stderr.write(f"aegui: the window cannot start: {exc}\n")
        return 1
    return run_record(args.out, file=args.file, preset=args.record_preset, seconds=args.seconds, view=args.view,
                      fps=args.fps, size=size, steps=args.steps)


def cmd_version(args) -> int:
    from .about import version_text

    print(version_text())
    return 0


def cmd_install_desktop_entry(args) -> int:
    from .desktop_entry import install

    for path in install():
        print(path)
    return 0


def cmd_window(args) -> int:
    try:
        from .qt.app import run_app
    except ImportError as exc:
        sys.stderr.write(f"aegui: the desktop window cannot start: {exc}\n")
        return 1
    return run_app(file=args.file, preset=args.preset, screenshot=args.screenshot,
                   train_seconds=args.train_seconds, show=tuple(p.strip() for p in args.show.split(",") if p.strip()),
                   presenter=args.presenter)


def main(argv: list[str] | None = None) -> int:
    commands = {"inspect": cmd_inspect, "train": cmd_train, "compare": cmd_compare, "recommend": cmd_recommend,
                "export": cmd_export, "bench": cmd_bench, "fetch": cmd_fetch, "record": cmd_record}
    argv = list(sys.argv[1:] if argv is None else argv)
    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] not in commands or words[:2] == ["bench", "ui"] or words[0] == "record":
        _numpy_on_one_thread()  # the window (or its benchmark)

    from .core.data.errors import RatingsError
    from .core.safe_write import WriteError
    from .core.session import SessionError

    if argv and argv[0] not in commands and not argv[0].startswith("-"):
        argv = ["--open", *argv]  # `aegui FILE` opens the file in the window
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        command = cmd_version
    elif args.install_desktop_entry:
        command = cmd_install_desktop_entry
    else:
        command = commands.get(args.command, cmd_window)
    try:
        return command(args)
    except (RatingsError, SessionError, UsageError, WriteError) as exc:
        sys.stderr.write(f"aegui: error: {exc}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"aegui: error: {exc.filename or ''}: {exc.strerror or exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("\naegui: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
