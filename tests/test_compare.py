"""Comparing configurations: runs, seeds, summaries, stopping, the child process and ``aegui compare``."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from aegui.cli import main
from aegui.core.data.demo import synthetic
from aegui.core.data.ratings import Ratings
from aegui.core.data.readers import write_movielens
from aegui.core.data.splits import split_random
from aegui.core.engine.compare import (CompareConfig, ComparisonProcess, model_for_kind, run_comparison, run_one,
                                       spread, summarise, write_curves_csv, write_summary_csv)
from aegui.core.engine.protocol import EpochDone, Failed, Finished, RunDone
from aegui.core.engine.spec import KINDS, ModelSpec, TrainSpec

EPOCHS = 4


@pytest.fixture(scope="module")
def data():
    return split_random(synthetic(30, 10, density=0.5, n_genres=3, seed=0), 0.2, seed=0)


@pytest.fixture(scope="module")
def configs():
    model = ModelSpec(hidden=(4, 2))
    training = TrainSpec(mode="minibatch", batch_size=8, lr=0.01, epochs=EPOCHS)
    return [CompareConfig("basic", model, training), CompareConfig("denoising", model.with_(kind="denoising"), training)]


@pytest.fixture(scope="module")
def results(data, configs):
    messages = []
    out = run_comparison(*data, configs, [0, 1], on_progress=messages.append)
    return out, messages


def test_a_run_has_its_curves_and_final_metrics(data, configs):
    r = run_one(*data, configs[0], 0)
    assert (r.name, r.seed, r.epochs, r.state) == ("basic", 0, EPOCHS, "finished")
    assert r.train_curve.shape == r.test_curve.shape == (EPOCHS,)
    assert np.isfinite(r.train_curve).all() and np.isfinite(r.test_curve).all()
    # no early stopping here: the final test RMSE is the one scored after the last epoch
    assert r.test_rmse == pytest.approx(r.test_curve[-1], rel=1e-6)
    assert 0 < r.train_rmse < 2 and r.seconds > 0


def test_the_same_seed_reproduces_and_other_seeds_differ(data, configs):
    a, b, c = (run_one(*data, configs[1], seed) for seed in (3, 3, 4))
    np.testing.assert_array_equal(a.test_curve, b.test_curve)
    np.testing.assert_array_equal(a.train_curve, b.train_curve)
    assert a.test_rmse == b.test_rmse
    assert not np.allclose(a.test_curve, c.test_curve)


def test_every_configuration_with_every_seed_in_order(results):
    out, messages = results
    assert [(r.config_index, r.seed) for r in out] == [(0, 0), (1, 0), (0, 1), (1, 1)]
    kinds = [type(m) for m in messages]
    assert kinds == ([EpochDone] * EPOCHS + [RunDone]) * 4
    assert [m.result for m in messages if isinstance(m, RunDone)] == out
    for r in out:  # the streamed epochs are the run's curves
        streamed = [m for m in messages if isinstance(m, EpochDone) and (m.config_index, m.seed) == (r.config_index, r.seed)]
        assert [m.epoch for m in streamed] == list(range(1, EPOCHS + 1))
        np.testing.assert_allclose([m.train_rmse for m in streamed], r.train_curve)
        np.testing.assert_allclose([m.test_rmse for m in streamed], r.test_curve)


def test_summary_is_the_mean_and_sample_sd_over_seeds(results):
    out, _ = results
    summaries = summarise(out)
    assert [s.name for s in summaries] == ["basic", "denoising"]
    for s in summaries:
        runs = [r for r in out if r.config_index == s.config_index]
        assert s.runs == 2
        for field in ("train_rmse", "test_rmse", "epochs", "seconds"):
            values = np.array([getattr(r, field) for r in runs], dtype=float)
            assert getattr(s, f"{field}_mean") == pytest.approx(values.mean())
            assert getattr(s, f"{field}_sd") == pytest.approx(values.std(ddof=1))


def test_one_seed_and_no_test_set_give_nan_not_errors(data, configs):
    train, _ = data
    out = run_comparison(train, None, configs[:1], [0])
    assert np.isnan(out[0].test_rmse) and np.isnan(out[0].test_curve).all()
    s = summarise(out)[0]
    assert s.runs == 1 and np.isnan(s.train_rmse_sd) and np.isnan(s.test_rmse_mean)
    assert s.to_dict()["test_rmse_mean"] is None


def test_spread_over_curves_of_different_lengths():
    curves = [np.array([3.0, 2.0, 1.0]), np.array([4.0, 2.5]), np.array([np.nan, 3.0])]
    s = spread(curves)
    np.testing.assert_array_equal(s["count"], [2, 3, 1])
    np.testing.assert_allclose(s["mean"], [3.5, 2.5, 1.0])
    np.testing.assert_allclose(s["low"], [3.0, 2.0, 1.0])
    np.testing.assert_allclose(s["high"], [4.0, 3.0, 1.0])
    np.testing.assert_allclose(s["sd"][:2], [np.std([3, 4], ddof=1), np.std([2, 2.5, 3], ddof=1)])
    assert np.isnan(s["sd"][2])
    empty = spread([np.full(2, np.nan)])
    assert np.isnan(empty["mean"]).all() and np.isnan(empty["low"]).all()


def test_a_stop_is_honoured_between_epochs(data, configs):
    seen = []
    out = run_comparison(*data, configs, [0, 1], on_progress=seen.append,
                         should_stop=lambda: sum(isinstance(m, EpochDone) for m in seen) >= 2)
    assert len(out) == 1
    assert out[0].state == "stopped" and out[0].epochs == 2 and len(out[0].test_curve) == 2
    assert summarise([r for r in out if r.state != "stopped"]) == []


def test_every_type_gets_a_valid_model_or_a_reason():
    model = ModelSpec(hidden=(20,), activation="relu", noise_rate=0.0, contractive_weight=0.0, pretrain_epochs=0)
    specs = {kind: model_for_kind(model, kind, 12) for kind in KINDS}
    assert all(spec is not None and spec.kind == kind for kind, (spec, _) in specs.items())
    assert specs["basic"][0].hidden == (11,) and "narrowed" in specs["basic"][1]
    assert specs["overcomplete"][0].hidden == (20,)                       # wider than 12 already
    assert model_for_kind(ModelSpec(hidden=(6, 3)), "overcomplete", 12)[0].hidden == (24,)
    assert specs["sparse"][0].activation == specs["deep"][0].activation == "sigmoid"
    assert specs["deep"][0].output_activation == "sigmoid"
    assert specs["denoising"][0].noise_rate > 0 and specs["contractive"][0].contractive_weight > 0
    assert specs["stacked"][0].pretrain_epochs > 0
    assert specs["contractive"][0].activation == "relu"       # only what the type needs is changed
    spec, note = model_for_kind(model, "basic", 1)
    assert spec is None and "narrow" in note


def test_csv_files(tmp_path, results):
    out, _ = results
    write_summary_csv(summarise(out), tmp_path / "s.csv")
    write_curves_csv(out, tmp_path / "c.csv")
    rows = (tmp_path / "s.csv").read_text().splitlines()
    assert rows[0].startswith("config_index,name,runs,") and len(rows) == 3
    assert len((tmp_path / "c.csv").read_text().splitlines()) == 1 + 4 * EPOCHS


def _collect(process, until, timeout=60.0):
    got = []
    deadline = time.monotonic() + timeout
    while not until(got):
        assert time.monotonic() < deadline, f"no answer from the child: {got[-3:]}"
        got += process.messages()
        time.sleep(0.02)
    return got


def test_the_child_process_streams_the_same_runs(data, configs, results):
    process = ComparisonProcess(*data, configs, [0, 1])
    try:
        got = _collect(process, lambda m: any(isinstance(x, (Finished, Failed)) for x in m))
    finally:
        assert process.close(10.0)
    assert not process.alive
    assert got[-1] == Finished()
    mine = [m.result for m in got if isinstance(m, RunDone)]
    theirs, _ = results
    assert len(mine) == 4
    for a, b in zip(mine, theirs):
        assert (a.config_index, a.seed) == (b.config_index, b.seed)
        np.testing.assert_array_equal(a.test_curve, b.test_curve)
        assert a.test_rmse == b.test_rmse


def test_close_ends_a_busy_child_at_once(data, configs):
    long = [CompareConfig("long", configs[0].model, configs[0].training.with_(epochs=100_000))]
    process = ComparisonProcess(*data, long, [0])
    _collect(process, lambda m: any(isinstance(x, EpochDone) for x in m))
    assert process.alive
    assert process.close(0.0) is False       # it did not end by itself: it was ended
    assert not process.alive
    assert not any(isinstance(m, Failed) for m in process.messages())   # an ending asked for is no failure


def test_nothing_to_compare_is_refused(data, configs):
    with pytest.raises(ValueError, match="configuration"):
        ComparisonProcess(*data, [], [0])
    with pytest.raises(ValueError, match="seeds"):
        run_comparison(*data, configs, [])


# ---------------------------------------------------------------------------------------------- the CLI
def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_one_row_per_configuration(capsys):
    code, out, err = run(capsys, "compare", "synthetic-small", "--kinds", "basic,denoising,overcomplete",
                         "--hidden", "4,2", "--epochs", "3", "--seeds", "2")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split()[:2] == ["configuration", "seeds"]
    assert [line.split("  ")[0].strip() for line in lines[1:4]] == [
        "global mean baseline", "movie mean baseline", "bias-only baseline"]
    baseline_test = [float(line.split()[-1]) for line in lines[1:4]]
    assert baseline_test[0] > baseline_test[2]   # user and movie biases beat one number for everyone
    assert [line.split()[0] for line in lines[4:]] == ["basic", "denoising", "overcomplete"]
    assert all(line.count("±") == 2 and line.split()[2] == "2" for line in lines[4:])
    assert "overcomplete: one hidden layer of 24" in err   # 12 movies: widened to be overcomplete


def test_cli_json_on_a_ratings_file(capsys, tmp_path):
    path = tmp_path / "u.data"
    write_movielens(synthetic(30, 15, n_ratings=300, seed=2), path, "ml-100k")
    code, out, err = run(capsys, "compare", str(path), "--kinds", "basic,sparse", "--hidden", "5", "--epochs", "2",
                         "--seeds", "3", "--seed", "4", "--test-fraction", "0.2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["seeds"] == [4, 5, 6] and result["test_ratings"] == 60
    assert result["baseline_rmse"] == result["baselines"]["bias-only"]["test_rmse"] > 0
    assert [c["kind"] for c in result["configs"]] == ["basic", "sparse"]
    assert all(c["runs"] == 3 and c["epochs_mean"] == 2 and 0 < c["test_rmse_mean"] < 3 for c in result["configs"])


@pytest.mark.parametrize("args,needle", [
    (["--kinds", "basic,fancy"], "--kinds"),
    (["--seeds", "0"], "--seeds"),
    (["--epochs", "0"], "--epochs"),
    (["--hidden", "abc"], "--hidden"),
    (["--hidden", "0"], "hidden layer size"),
    (["--test-fraction", "2"], "fraction"),
])
def test_cli_bad_arguments_exit_2_with_a_message(capsys, args, needle):
    code, out, err = run(capsys, "compare", "synthetic-small", *args)
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err


def test_cli_missing_file_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "compare", str(tmp_path / "nothing.data"))
    assert code == 2 and "nothing.data" in err and "Traceback" not in err


def test_cli_skips_a_type_that_cannot_be_built(capsys, tmp_path, monkeypatch):
    one_movie = Ratings.from_dense(np.array([[4.0], [5.0], [3.0], [2.0]]))
    monkeypatch.setattr("aegui.commands.compare._load_named", lambda name, fmt: one_movie)
    code, _, err = run(capsys, "compare", "x", "--kinds", "basic", "--hidden", "2", "--epochs", "1")
    assert code == 2 and "basic skipped" in err and "none of the --kinds" in err
