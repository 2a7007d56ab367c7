"""``aegui train``: one model on a ratings file or a preset, headless, with a progress bar; and the
settings, test split and named sets the other commands share."""

from __future__ import annotations

import json
import math
import sys
import time

from ..cli import UsageError
from ..core.engine.protocol import State
from ..core.engine.spec import ModelSpec, TrainSpec


def specs_from_args(args, n_inputs: int, preset=None) -> tuple[ModelSpec, TrainSpec]:
    """The model and training settings the command line asks for on data with ``n_inputs`` inputs
    (movies; users when item-based): the real-data defaults of :mod:`aegui.core.engine.defaults`, or
    ``preset``'s own settings, with the options given on top, validated."""
    from ..core.engine import defaults
    from ..core.engine.spec import RATING_SCALE

    kind = args.type or (preset.model.kind if preset is not None else "basic")
    if preset is not None:
        model_kw = {**preset.model.to_dict(), "kind": kind, "item_based": args.item_based}
        base_training = preset.training
    else:
        model_kw = defaults.model(kind, n_inputs, args.item_based).to_dict()
        base_training = defaults.training(kind, args.item_based, n_inputs)
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
        return model, base_training.with_(**train_kw)
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
    from ..core.data.readers import load_ratings
    from ..core.data.splits import split_random
    from ..core.engine.threads import configure

    preset = _preset_named(args.file)
    ratings = preset.ratings() if preset is not None else load_ratings(args.file, format=args.format)
    if ratings.n_ratings == 0:
        raise UsageError(f"{args.file}: no ratings to train on")
    model, training = specs_from_args(args, ratings.n_users if args.item_based else ratings.n_movies, preset)
    test, unseen = None, None
    fraction = args.test_fraction if args.test_fraction is not None else preset.test_fraction if preset else 0
    if args.test:
        test, unseen = _aligned_test(ratings, load_ratings(args.test, format=args.format))
    elif fraction:
        ratings, test = split_random(ratings, fraction, seed=args.seed)
    configure(args.threads)
    import torch

    from ..core.engine.trainer import Trainer

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
        from ..core.engine.predict import dormant_units

        result["dormant_units"] = dormant_units(trainer.network, trainer.inputs, len(model.hidden),
                                                model.sparsity_target)
    if args.save:
        from ..core.session import save_session, session_from_trainer

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
    from ..core.data.splits import align

    aligned, unseen = align(train, test)
    if len(unseen):
        sys.stderr.write(f"aegui: {len(unseen)} test ratings of users or movies absent from training are "
                         "predicted by the bias-only baseline\n")
    return aligned, unseen


def _preset_named(name: str):
    """The preset ``name`` stands for (a preset, or a demo set one uses) when no such file exists."""
    import os

    from ..core.presets import preset_for

    return None if os.path.exists(name) else preset_for(name)


def _load_named(name: str, format: str | None):
    """A ratings file, or the demo set called ``name`` when no such file exists."""
    import os

    from ..core.data.demo import DEMO_SETS, load_demo
    from ..core.data.readers import load_ratings

    if name in DEMO_SETS and not os.path.exists(name):
        return load_demo(name)
    return load_ratings(name, format=format)
