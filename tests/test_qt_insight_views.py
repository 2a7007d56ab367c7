"""The insight views (hidden units, weights, latent space) on a really trained network, driven with real
mouse events: what they draw is the insight's and the snapshot's numbers, clicks select observations."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from aegui.core import features as ft
from aegui.core.data.demo import synthetic
from aegui.core.engine.predict import code_activations
from aegui.core.engine.snapshot import Insight
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer
from aegui.qt.charts_panel import MAX_RATE
from aegui.qt.codes_panel import CodesPanel
from aegui.qt.latent_panel import CATEGORY_HEX, LatentPanel
from aegui.qt.weights_panel import WEIGHT_BINS, WeightsPanel

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def trained(hidden, item_based=False, epochs=4):
    """A small autoencoder trained on genre data, its snapshot and an insight built as the docstring says."""
    ratings = synthetic(40, 12, density=0.6, n_genres=4, seed=0)
    t = Trainer(ratings, ModelSpec(hidden=hidden, item_based=item_based), TrainSpec(batch_size=8, lr=0.05))
    for _ in range(epochs):
        t.step_epoch()
    n_hidden = len(t.network.sizes) - 2
    codes = tuple(code_activations(t.network, t.prediction_inputs, k + 1) for k in range(n_hidden))
    mean = tuple(c.mean(axis=0) for c in codes)
    rho = 10 * np.sort(mean[0])[2]      # a sparsity target under which the first layer's two least active units sleep
    m = ratings.n_movies
    insight = Insight(step=t.steps, epoch=t.epoch, viewing=None, rows=np.arange(len(codes[0])), codes=codes,
                      code_layer=len(hidden) - 1, mean_activation=mean, dormant=tuple(a < rho / 10 for a in mean),
                      user=0, user_ratings=np.zeros(m), user_test=np.zeros(m), user_predictions=np.zeros(m),
                      recommendations=(), item_based=item_based)
    return ratings, t.snapshot(), insight


@pytest.fixture(scope="module")
def deep():
    return trained((5, 2))


@pytest.fixture(scope="module")
def wide():
    return trained((6,))


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def viewport_point(view, plot, x: float, y: float) -> QPoint:
    return view.mapFromScene(plot.vb.mapViewToScene(QPointF(x, y)))


# ---------------------------------------------------------------------- hidden units
def test_the_heat_map_draws_the_codes_and_a_clicked_row_selects_its_observation(qtbot, deep):
    ratings, snapshot, insight = deep
    panel = shown(qtbot, CodesPanel())
    panel.set_data(ratings, item_based=False)
    panel.show_snapshot(snapshot)
    panel.show_insight(insight)
    k = insight.code_layer
    assert panel.layer == k and panel.layer_combo.isVisible()
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("unit"))
    panel.unit_spin.setValue(2)
    codes = insight.codes[k]
    order = np.argsort(-codes[:, 1], kind="stable")
    assert np.array_equal(panel.row_order, order)
    assert np.array_equal(panel.heat.image.image, codes[order])        # the image drawn is the numbers
    assert tuple(panel.heat.image.levels) == (-1.0, 1.0)               # sigmoid: the fixed range

    row, col = 7, 0
    with qtbot.waitSignal(panel.observationClicked) as signal:
        QTest.mouseClick(panel.graphics.viewport(), LEFT, NO_MOD,
                         viewport_point(panel.graphics, panel.heat, *panel.heat.centre(row, col)))
    assert signal.args == [int(order[row])]
    assert panel.heat.row_mark.isVisible() and panel.heat.row_mark.value() == row + 1
    assert panel.heat.column_mark.value() == col + 1

    f = ft.unit_features(snapshot.weights, k, col, 8)                   # the unit's feature, by title
    text = panel.feature.toPlainText()
    assert ratings.movie_titles[f.in_index[0]] in text and ratings.movie_titles[f.out_index[0]] in text
    assert "linearisation" in text                                      # h2 is not next to the inputs
    assert f"{f.in_weight[0]:+.3f}" in text

    target = int(order[3])
    panel.select_observation(target)
    assert panel.heat.row_mark.value() == 4
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findText("mean rating"))   # the mark follows the row
    mean = ft.observation_attributes(ratings, False)[2].values
    assert np.array_equal(panel.row_order, np.argsort(mean, kind="stable"))
    assert panel.heat.row_mark.value() == int(np.flatnonzero(panel.row_order == target)[0]) + 1


def test_dormant_units_are_marked_and_counted_and_units_line_up_with_genres(qtbot, wide):
    ratings, snapshot, insight = wide
    panel = shown(qtbot, CodesPanel())
    panel.set_data(ratings, item_based=False)
    panel.show_insight(insight)
    panel.show_snapshot(snapshot)
    dormant = insight.dormant[0]
    assert 0 < dormant.sum() < len(dormant)
    x, _ = panel.dormant_marks.getData()
    assert np.array_equal(x, np.flatnonzero(dormant) + 1)                   # above the units' columns
    assert f"{dormant.sum()} of {len(dormant)} dormant" in panel.dormant_label.text()
    assert not panel.layer_combo.isVisible()                            # one hidden layer: no chooser

    expected = ft.genre_alignment(snapshot.weights[0], ratings.movie_groups, len(ratings.group_names))
    assert panel.alignment.isVisible()
    assert np.allclose(panel.alignment.image.image, expected.r.T)
    unit = 4
    QTest.mouseClick(panel.graphics.viewport(), LEFT, NO_MOD,
                     viewport_point(panel.graphics, panel.alignment, *panel.alignment.centre(0, unit)))
    g = int(expected.best[unit])
    text = panel.feature.toPlainText()
    assert f"unit {unit + 1}" in text and ratings.group_names[g] in text and f"{expected.r[unit, g]:+.2f}" in text
    assert "linearisation" not in text                                  # W1 and W2 read directly


def test_the_item_based_heat_map_names_movies_and_aligns_with_users_favourite_genres(qtbot):
    ratings, snapshot, insight = trained((3,), item_based=True, epochs=2)
    panel = CodesPanel()
    qtbot.addWidget(panel)
    panel.set_data(ratings, item_based=True)
    panel.show_insight(insight)
    panel.show_snapshot(snapshot)
    assert panel.heat.image.image is None                               # a hidden panel draws when shown
    shown(qtbot, panel)
    assert panel.heat.image.image.shape == (ratings.n_movies, 3)
    expected = ft.genre_alignment(snapshot.weights[0], ratings.user_groups, len(ratings.group_names))
    assert np.allclose(panel.alignment.image.image, expected.r.T)
    QTest.mouseMove(panel.graphics.viewport(), viewport_point(panel.graphics, panel.heat, *panel.heat.centre(2, 1)))
    qtbot.waitUntil(lambda: ratings.movie_titles[panel.row_order[2]] in panel.hover_label.text())


# ---------------------------------------------------------------------- weights
def test_the_weights_heat_map_and_histograms_are_the_snapshots_numbers(qtbot, deep):
    _, snapshot, _ = deep
    panel = WeightsPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(snapshot)
    assert panel.heat.image.image is None                               # a hidden panel draws when shown
    shown(qtbot, panel)
    assert panel.layer_combo.count() == len(snapshot.weights)
    for layer in (0, 2):
        panel.layer_combo.setCurrentIndex(layer)
        w, b = snapshot.weights[layer], snapshot.biases[layer]
        top = np.abs(w).max()
        assert np.array_equal(panel.heat.image.image, w)
        assert np.allclose(panel.heat.image.levels, (-top, top))
        edges, counts = panel.weight_curve.getData()
        expected, expected_edges = np.histogram(w, WEIGHT_BINS, range=(-top, top))
        assert np.array_equal(counts, expected) and np.allclose(edges, expected_edges)
        assert panel.bias_curve.getData()[1].sum() == len(b)
    # while running, frames closer than 1/MAX_RATE apart are skipped; a pause always draws
    doubled = tuple(2 * w for w in snapshot.weights)
    qtbot.wait(int(1000 / MAX_RATE) + 10)
    panel.show_snapshot(dataclasses.replace(snapshot, state="running", weights=doubled))
    panel.show_snapshot(dataclasses.replace(snapshot, state="running"))
    assert np.array_equal(panel.heat.image.image, doubled[2])
    panel.show_snapshot(dataclasses.replace(snapshot, state="paused"))
    assert np.array_equal(panel.heat.image.image, snapshot.weights[2])


# ---------------------------------------------------------------------- latent space
def isolated_point(view, plot, xy: np.ndarray) -> int:
    """The point farthest (on screen) from its nearest neighbour."""
    px = np.array([[p.x(), p.y()] for p in (viewport_point(view, plot, x, y) for x, y in xy)], dtype=float)
    d = np.linalg.norm(px[:, None] - px[None], axis=2) + np.eye(len(px)) * 1e9
    return int(d.min(axis=1).argmax())


def test_a_clicked_point_selects_its_observation_and_colours_follow_the_genres(qtbot, deep):
    ratings, _, insight = deep
    panel = shown(qtbot, LatentPanel())
    panel.set_data(ratings, item_based=False)
    panel.show_insight(insight)
    code = insight.codes[insight.code_layer]
    assert "unit 1" in panel.plot.getAxis("bottom").labelText                     # two units: the axes
    x, y = panel.points.getData()
    assert np.allclose(np.c_[x, y], code)

    assert panel.colour_combo.currentText() == "favourite genre"
    colours = [b.color().name() for b in panel.points.data["brush"]]
    assert colours == [CATEGORY_HEX[g] for g in ratings.user_groups[insight.rows]]
    assert panel.legend.isVisible() and not panel.colour_bar.isVisible()

    qtbot.wait(50)
    k = isolated_point(panel.graphics, panel.plot, code)
    with qtbot.waitSignal(panel.observationClicked) as signal:
        QTest.mouseClick(panel.graphics.viewport(), LEFT, NO_MOD, viewport_point(panel.graphics, panel.plot, *code[k]))
    assert signal.args == [int(insight.rows[k])]
    assert np.allclose(np.c_[panel.ring.getData()], code[k][None])
    QTest.mouseMove(panel.graphics.viewport(), viewport_point(panel.graphics, panel.plot, *code[k]))
    qtbot.waitUntil(lambda: panel.plot.vb.toolTip() == f"user {ratings.user_ids[insight.rows[k]]}")
    panel.select_observation(3)
    assert np.allclose(np.c_[panel.ring.getData()], code[3][None])

    panel.colour_combo.setCurrentIndex(panel.colour_combo.findText("number of ratings"))
    assert panel.colour_bar.isVisible()
    counts = ft.observation_attributes(ratings, False)[1].values
    shades = {b.color().name() for b in panel.points.data["brush"]}
    most, least = int(counts.argmax()), int(counts.argmin())
    brushes = panel.points.data["brush"]
    assert len(shades) > 3 and brushes[most].color() != brushes[least].color()


def test_a_wide_bottleneck_is_shown_by_its_principal_components_with_an_extra_point(qtbot, wide, tmp_path):
    ratings, _, insight = wide
    panel = shown(qtbot, LatentPanel())
    panel.set_data(ratings, item_based=False)
    panel.show_insight(insight)
    basis = ft.pca_2d(insight.codes[0])
    label = panel.plot.getAxis("bottom").labelText
    assert label.startswith("PC1 (") and f"{basis.explained[0] * 100:.0f} %" in label
    assert np.allclose(np.c_[panel.points.getData()], basis.project(insight.codes[0]))
    new_code = insight.codes[0][5] * 0.5
    panel.show_extra_point(new_code, "new user")
    assert np.allclose(np.c_[panel.extra.getData()][0], basis.project(new_code))
    assert panel.extra_label.toPlainText() == "new user"
    panel.show_extra_point(None, "")
    assert len(panel.extra.getData()[0]) == 0


# ---------------------------------------------------------------------- export
def test_every_panel_exports_png_and_svg(qtbot, deep, tmp_path):
    ratings, snapshot, insight = deep
    codes, weights, latent = CodesPanel(), WeightsPanel(), LatentPanel()
    for panel in (codes, latent):
        shown(qtbot, panel).set_data(ratings, item_based=False)
        panel.show_insight(insight)
    for panel in (codes, shown(qtbot, weights)):
        panel.show_snapshot(snapshot)
    for name, panel in (("codes", codes), ("weights", weights), ("latent", latent)):
        png, svg = tmp_path / f"{name}.png", tmp_path / f"{name}.svg"
        panel.export_button.ask_path = lambda png=png: str(png)
        QTest.mouseClick(panel.export_button, LEFT)
        panel.export(str(svg))
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 300
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg") and svg.stat().st_size > 1000
