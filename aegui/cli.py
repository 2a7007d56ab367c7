"""The command line: ``aegui`` opens the window; ``inspect``, ``train``, ``recommend`` and ``bench`` work
headless over the same core.

Exit status: 0 success, 2 bad arguments or bad input (the message says what and where), 1 anything
else. Heavy modules (torch, Qt) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .core.engine.spec import ACTIVATIONS, KINDS, NOISES, OPTIMIZERS



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


def _preset_names() -> list[str]:
    from .core.presets import PRESETS

    return ["demo", *PRESETS]


def _lesson_page(text: str) -> int:
    """``--lesson N``: a page number of the lesson (1-based)."""
    from .core.lesson import page_number_error

    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--lesson expects a page number, got {text!r}") from None
    error = page_number_error(n)
    if error:
        raise argparse.ArgumentTypeError(error)
    return n


def build_parser() -> argparse.ArgumentParser:
    from .core.data.readers import FORMATS

    p = argparse.ArgumentParser(prog="aegui", description="A visual trainer for autoencoders on ratings grids.")
    p.add_argument("--preset", help="open the window on a preset (e.g. seed-example)")
    p.add_argument("--screenshot", metavar="PNG", help="render the window to a PNG and exit")
    p.add_argument("--train-seconds", type=float, default=0.0, help="with --screenshot: train this long first")
    p.add_argument("--show", default="", metavar="PANELS",
                   help="with --screenshot: bring these panels forward first (comma separated, e.g. User,Latent)")
    p.add_argument("--lesson", nargs="?", const="last", type=_lesson_page, metavar="N",
                   help="open the guided lesson (Help ▸ Lesson) at page N, or where it was left")
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
    tr.add_argument("file", help="a ratings file, or a preset or demo set (demo: the window's first set-up, with its "
                                 "model, training and test split): " + ", ".join(_preset_names()))
    tr.add_argument("--format", choices=FORMATS)
    split = tr.add_mutually_exclusive_group()
    split.add_argument("--test", metavar="FILE", help="held-out ratings file (MovieLens style, e.g. u1.test)")
    split.add_argument("--test-fraction", type=_fraction, help="hold out this fraction of the ratings")
    tr.add_argument("--type", choices=KINDS, help="the autoencoder type (default: basic, or the preset's)")
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
    be.add_argument("--mode", choices=("normal", "presenter", "recording"), default="normal",
                    help="ui: the window as it is, in presenter mode, or recording its network view")

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


def cmd_bench(args) -> int:
    if args.what == "accuracy":
        return _command("compare", "cmd_bench_accuracy")(args)
    if args.what == "ui":
        from .qt.bench_ui import run_ui_bench

        return run_ui_bench(json_line=args.json, seconds=1.0 if args.quick else 10.0, mode=args.mode)
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
                   lesson=args.lesson, presenter=args.presenter)


def _command(module: str, name: str):
    """``aegui.commands.<module>.<name>``, imported when the command runs."""
    def run(args) -> int:
        from importlib import import_module

        return getattr(import_module(f"aegui.commands.{module}"), name)(args)
    return run


def main(argv: list[str] | None = None) -> int:
    commands = {"inspect": cmd_inspect, "train": _command("train", "cmd_train"),
                "compare": _command("compare", "cmd_compare"), "recommend": _command("session", "cmd_recommend"),
                "export": _command("session", "cmd_export"), "bench": cmd_bench, "fetch": cmd_fetch,
                "record": cmd_record}
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
