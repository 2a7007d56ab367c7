"""``aegui bench accuracy`` and the real-data defaults it trains."""

from __future__ import annotations

import json

import pytest

from aegui.cli import main
from aegui.core.engine import defaults
from aegui.core.engine.spec import KINDS


def test_every_type_has_valid_real_data_defaults():
    for kind in KINDS:
        for item_based in (False, True):
            spec = defaults.model(kind, 300, item_based)
            assert spec.kind == kind and spec.centered and spec.item_based == item_based
            assert spec.shape_warning(300) is None, kind   # basic narrows, overcomplete widens
    assert defaults.model("overcomplete", 300).hidden[0] > 300
    assert defaults.model("basic", 12).hidden[0] < 12       # narrowed on a tiny grid
    assert len(defaults.model("stacked", 300).hidden) == len(defaults.model("deep", 300).hidden) == 2
    with pytest.raises(ValueError, match="unknown autoencoder type"):
        defaults.model("variational", 300)


def test_bench_accuracy_prints_baselines_then_models(capsys):
    code = main(["bench", "accuracy", "synthetic-medium", "--kinds", "basic", "--seeds", "2", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    names = [r["name"] for r in result["rows"]]
    assert names[:3] == ["global mean baseline", "movie mean baseline", "bias-only baseline"]
    assert names[3:] == ["basic 50", "basic 299 item-based"]   # 300 users: I-AutoRec's 500 narrowed
    rows = {r["name"]: r for r in result["rows"]}
    assert all(len(r["test_rmse"]) == 2 for r in result["rows"])
    # two seeds are two different random splits: the baseline scores differ
    assert rows["bias-only baseline"]["test_rmse"][0] != rows["bias-only baseline"]["test_rmse"][1]
    assert rows["global mean baseline"]["test_rmse_mean"] > rows["bias-only baseline"]["test_rmse_mean"]
    assert rows["basic 50"]["seconds_mean"] > 0 and rows["basic 50"]["test_rmse_sd"] is not None


def test_bench_accuracy_needs_a_file(capsys):
    assert main(["bench", "accuracy"]) == 2
    assert "needs a ratings file" in capsys.readouterr().err


def test_train_json_reports_the_baseline_and_counts_unseen_test_ratings(capsys, tmp_path):
    from aegui.core.data.demo import synthetic
    from aegui.core.data.readers import write_movielens
    from aegui.core.data.splits import split_random

    train, test = split_random(synthetic(80, 40, density=0.25, seed=3), 0.2, seed=1)
    write_movielens(train, tmp_path / "u1.base", "ml-100k")
    lines = (tmp_path / "u1.base").read_text()
    write_movielens(test, tmp_path / "u1.test", "ml-100k")
    # two ratings of a user and one of a movie that training never saw
    with open(tmp_path / "u1.test", "a") as f:
        f.write("9001\t1\t4\t0\n9001\t2\t2\t0\n1\t9002\t5\t0\n")
    assert lines
    code = main(["train", str(tmp_path / "u1.base"), "--test", str(tmp_path / "u1.test"), "--epochs", "3", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["unseen_test_ratings"] == 3 and result["test_ratings"] == test.n_ratings + 3
    assert "3 test ratings of users or movies absent from training are predicted by the bias-only baseline" in err
    assert 0 < result["baseline_rmse"] < 2 and result["test_rmse"] > 0


def test_wide_overcomplete_layers_take_smaller_steps():
    narrow, wide = defaults.training("overcomplete", n_inputs=400), defaults.training("overcomplete", n_inputs=8000)
    assert narrow.lr == defaults.training("basic").lr               # 500 units: not wide
    assert wide.lr == pytest.approx(narrow.lr * defaults.WIDE / defaults.model("overcomplete", 8000).hidden[0])
