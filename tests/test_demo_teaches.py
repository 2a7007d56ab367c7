"""The first run teaches: the window's default set-up learns (its test error ends well under the
bias-only baseline, on several splits), at a pace a class can follow; overfitting is its own demo, one
click away, with a caption; ``aegui train demo`` trains the same set-up headless."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from aegui.cli import main
from aegui.core.presets import DEFAULT_PRESET, PRESETS, get_preset, preset_for
from conftest import TIMEOUT


def _train(capsys, *args):
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_demo_learns_well_under_the_baseline_on_every_split(capsys, seed):
    out = _train(capsys, "demo", "--seed", str(seed))
    default = get_preset(DEFAULT_PRESET)
    assert out["type"] == default.model.kind and tuple(out["hidden"]) == default.model.hidden
    assert out["test_ratings"] == round(default.test_fraction * default.ratings().n_ratings)
    # measured 0.08–0.15 stars under the baseline; a margin a class can see on the chart
    assert out["test_rmse"] < out["baseline_rmse"] - 0.05
    assert "best weights kept" in out["message"]


def test_the_overfitting_demo_ends_above_the_baseline(capsys):
    out = _train(capsys, "overfitting")
    assert out["epochs"] == get_preset("overfitting").training.epochs     # no early stopping
    assert out["train_rmse"] < out["baseline_rmse"] < out["test_rmse"]


def test_demo_set_names_stand_for_their_presets():
    assert preset_for("demo") is PRESETS[DEFAULT_PRESET]
    assert preset_for("seed-onehot") is PRESETS["seed-example"] and preset_for("seed-toy") is PRESETS["seed-toy"]
    assert preset_for("no-such-set") is None


def test_the_first_play_goes_at_a_watchable_pace_and_full_speed_is_one_click(qtbot, window):
    panel = window.training_panel
    default = get_preset(DEFAULT_PRESET)
    assert panel.delay == pytest.approx(default.pace_s)
    assert window.data_panel.split_spin.value() == round(100 * default.test_fraction)
    # the label says what the speed means, in observations and epochs a second
    qtbot.waitUntil(lambda: "epochs/s" in panel.speed_label.text(), timeout=TIMEOUT)
    n_train = window.snapshot.n_observations
    assert f"{1 / default.pace_s:g} observations/s" in panel.speed_label.text()
    assert f"{1 / default.pace_s / n_train:.2g} epochs/s" in panel.speed_label.text()
    qtbot.keyClick(panel.speed, Qt.Key.Key_End)                    # one key (or a drag to the end)
    assert panel.delay == 0 and panel.speed_label.text() == "full speed"


def test_the_overfitting_demo_is_one_menu_click_away_with_its_caption(qtbot, window):
    assert window.charts_panel.caption.text() == get_preset(DEFAULT_PRESET).caption
    window.demo_actions["overfitting"].trigger()
    qtbot.waitUntil(lambda: window.controller.info is not None
                    and window.controller.info["model"] == PRESETS["overfitting"].model, timeout=TIMEOUT)
    assert window.doc.model == PRESETS["overfitting"].model and window.doc.training == PRESETS["overfitting"].training
    assert window.charts_panel.caption.text().startswith("Overfitting")
    assert window.charts_panel.caption.isVisibleTo(window.charts_panel)
    assert window.doc.test_mask.mean() == pytest.approx(PRESETS["overfitting"].test_fraction, abs=0.01)
    assert window.training_panel.delay == PRESETS["overfitting"].pace_s


def test_the_time_of_a_paced_run_counts_its_pace():
    from aegui.core.engine.trainer import Trainer

    preset = get_preset("seed-toy")
    trainer = Trainer(preset.ratings(), preset.model, preset.training)
    trainer.delay_s = 0.01
    trainer.run(max_epochs=1)
    assert trainer.steps == preset.ratings().n_users          # online: one update per observation
    assert trainer.elapsed >= 0.01 * trainer.steps            # what the ETA is computed from


@pytest.mark.parametrize("kind", ["session", "ratings file"])
def test_an_opened_file_trains_at_full_speed_without_the_demos_caption(qtbot, window, tmp_path, capsys, kind):
    from aegui.core.data.readers import write_csv_grid

    if kind == "session":
        path = tmp_path / "toy.aegui"
        assert main(["train", "seed-toy", "--epochs", "1", "--save", str(path)]) == 0
    else:
        path = tmp_path / "toy.csv"
        write_csv_grid(get_preset("seed-toy").ratings(), str(path))
    assert window.training_panel.delay > 0 and window.charts_panel.caption.text()   # the demo's pace
    assert window.open_path(str(path))
    assert window.training_panel.delay == 0 and window.training_panel.speed_label.text() == "full speed"
    assert not window.charts_panel.caption.isVisibleTo(window.charts_panel)
