"""Presenter mode, driven through its menu action and keys: in and out restores the layout exactly, the
zoom is kept for the next window, Space / → / 1 2 3 work, and ``--presenter`` starts in it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QToolBar

from aegui.qt import palette
from aegui.qt.presenter import VIEWS, ZOOM_DEFAULT, ZOOM_KEY, ZOOM_STEP, clamp_zoom

from conftest import TIMEOUT, wait_state


def layout_of(w) -> dict:
    """Everything presenter mode must give back."""
    view = w.network_view
    return {
        "state": bytes(w.saveState()), "geometry": bytes(w.saveGeometry()), "window_state": w.windowState(),
        "docks": {name: d.isVisible() for name, d in w.docks.items()},
        "toolbars": sorted((t.objectName(), t.isVisible()) for t in w.findChildren(QToolBar)),
        "menu": w.menuBar().isVisible(), "status": w.statusBar().isVisible(),
        "font": w.font().toString(), "own_font": w.testAttribute(Qt.WidgetAttribute.WA_SetFont),
        "own_palette": w.testAttribute(Qt.WidgetAttribute.WA_SetPalette),
        "base": w.palette().color(QPalette.ColorRole.Base).name(), "scheme": palette.scheme(),
        "node_fill": view.drawing.style.brushes[0].color().name(), "scale": view.drawing.scale,
        "central": w.centralWidget() is view, "charts_docked": w.docks["Charts"].widget() is w.charts_panel,
        "user_docked": w.docks["User"].widget() is w.user_panel,
        "range": [[round(v, 6) for v in r] for r in view.vb.viewRange()],
        "sizes": {name: d.size().toTuple() for name, d in w.docks.items() if d.isVisible()} | {"": view.size().toTuple()},
        "chart_background": w.charts_panel.epoch_plot.backgroundBrush().color().name(),
    }


@pytest.fixture
def steady(qtbot, window):
    """The window once the shown observation's pass has arrived (the view's fit depends on it)."""
    qtbot.waitUntil(lambda: window.snapshot.trace is not None or window.snapshot.position >= 0, timeout=TIMEOUT)
    qtbot.wait(300)
    # Qt's own round trip first: restoreState(saveState()) moves a dock behind a tab by a pixel in the
    # state's bytes (nothing drawn changes); leaving restores the docks that way, and exactly that
    window.restoreState(window.saveState())
    qtbot.wait(200)
    return window


def test_in_and_out_by_the_menu_f11_and_esc_restores_the_layout_exactly(qtbot, steady):
    w = steady
    p = w.presenter
    assert any(p.action in m.menu().actions() for m in w.menuBar().actions() if m.menu())  # View ▸ Presenter mode
    normal = layout_of(w)
    base_pt = w.font().pointSizeF()
    for enter, leave in ((lambda: p.action.trigger(), lambda: qtbot.keyClick(p.screen, Qt.Key.Key_F11)),
                         (lambda: qtbot.keyClick(w, Qt.Key.Key_F11),
                          lambda: qtbot.keyClick(p.screen, Qt.Key.Key_Escape))):
        enter()
        qtbot.waitUntil(lambda: p.screen is not None and p.screen.isFullScreen()
                        and QApplication.activeWindow() is p.screen, timeout=TIMEOUT)
        assert p.presenting and p.action.isChecked()
        assert w.network_view.window() is p.screen and w.network_view.isVisible()
        assert p.toolbar.isVisible() and p.play_button.isVisible() and p.step_button.isVisible()
        assert w.network_view.font().pointSizeF() == pytest.approx(base_pt * p.zoom)
        assert w.network_view.drawing.scale == p.zoom          # nodes and edges scaled too
        assert palette.scheme() is palette.HIGH_CONTRAST
        assert p.screen.palette().color(QPalette.ColorRole.Base).name() == "#000000"
        assert w.network_view.drawing.style.brushes[0].color().name() == palette.HIGH_CONTRAST.negative
        assert w.charts_panel.epoch_plot.backgroundBrush().color().name() == "#000000"
        qtbot.wait(50)
        leave()
        qtbot.waitUntil(lambda: not p.presenting and QApplication.activeWindow() is w, timeout=TIMEOUT)
        qtbot.wait(200)
        assert layout_of(w) == normal
        assert not p.action.isChecked() and p.toolbar is None


def test_the_zoom_keys_scale_and_the_zoom_is_kept_for_a_new_window(qtbot, window, tmp_path, messages):
    from aegui.qt.main_window import MainWindow

    p = window.presenter
    assert p.zoom == ZOOM_DEFAULT
    base_pt = window.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # not while not presenting
    assert p.zoom == ZOOM_DEFAULT
    p.action.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is p.screen, timeout=TIMEOUT)
    for _ in range(2):
        qtbot.keyClick(p.screen, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert p.zoom == ZOOM_DEFAULT + 2 * ZOOM_STEP
    qtbot.keyClick(p.screen, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    zoom = ZOOM_DEFAULT + ZOOM_STEP
    assert p.zoom == zoom and window.network_view.drawing.scale == zoom
    assert window.network_view.font().pointSizeF() == pytest.approx(base_pt * zoom)
    assert p.zoom_label.text() == f"{round(100 * zoom)} %"
    qtbot.keyClick(p.screen, Qt.Key.Key_Escape)
    assert window.network_view.font().pointSizeF() == base_pt
    window.settings.sync()

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    try:
        assert again.presenter.zoom == zoom
        qtbot.keyClick(again, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # only while presenting
        assert again.presenter.zoom == zoom
    finally:
        again.controller.shutdown()


def test_space_plays_and_pauses_right_steps_and_1_2_3_switch_the_view(qtbot, window):
    window.model_panel.epochs.setValue(100_000)  # long enough to be paused while running
    qtbot.mouseClick(window.model_panel.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.training_panel.play_action.isEnabled(), timeout=TIMEOUT)
    p = window.presenter
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert p.presenting and p.view == "network" and p.stack.currentWidget() is window.network_view
    screen = p.screen
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=TIMEOUT)
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    wait_state(qtbot, window, "running")
    assert p.play_button.text() == "Pause"
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    wait_state(qtbot, window, "paused")
    qtbot.wait(200)
    window.controller.request_snapshot()
    qtbot.wait(200)
    steps, position = window.snapshot.step, window.snapshot.position
    qtbot.keyClick(screen, Qt.Key.Key_Right)  # one observation: the trainer moves on
    qtbot.waitUntil(lambda: (window.snapshot.step, window.snapshot.position) != (steps, position), timeout=TIMEOUT)
    assert window.snapshot.position == position + 1 or window.snapshot.step > steps
    panels = {"network": window.network_view, "charts": window.charts_panel, "recommendations": window.user_panel}
    for key, name in zip((Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_1), ("charts", "recommendations", "network")):
        qtbot.keyClick(screen, key)
        assert p.view == name and p.stack.currentWidget() is panels[name] and panels[name].isVisible()
        assert p.view_actions[name].isChecked()
    qtbot.keyClick(screen, Qt.Key.Key_3)
    # the recommendations view asks for the user's predictions as the User dock would
    qtbot.waitUntil(lambda: window.user_panel.table.rowCount() > 0, timeout=TIMEOUT)
    qtbot.keyClick(screen, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=TIMEOUT)
    assert window.centralWidget() is window.network_view and window.docks["User"].widget() is window.user_panel
    assert window.user_panel.isVisible() == window.docks["User"].isVisible()
    qtbot.keyClick(window, Qt.Key.Key_2)  # the view keys do nothing outside presenter mode
    assert window.centralWidget() is window.network_view
    qtbot.keyClick(window, Qt.Key.Key_F11)  # back in: the last view chosen
    assert p.stack.currentWidget() is window.user_panel
    qtbot.waitUntil(lambda: QApplication.activeWindow() is p.screen, timeout=TIMEOUT)
    qtbot.keyClick(p.screen, Qt.Key.Key_Escape)
    assert not p.presenting


def test_zooms_from_the_settings_file_are_checked():
    assert clamp_zoom("2") == 2.0 and clamp_zoom(9) == ZOOM_DEFAULT and clamp_zoom("nan") == ZOOM_DEFAULT
    assert clamp_zoom(None) == ZOOM_DEFAULT and clamp_zoom(0.6) == 1.0 and clamp_zoom(1.6) == 1.5
    assert VIEWS == ("network", "charts", "recommendations")


def test_the_presenter_option_starts_in_presenter_mode(qtbot, monkeypatch, messages):
    from aegui.cli import build_parser
    from aegui.qt import app as app_module
    from aegui.qt.main_window import MainWindow

    args = build_parser().parse_args(["--presenter"])
    assert args.presenter
    seen = []

    def exec_(self):  # instead of the event loop: look at the window run_app made, and close it
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen.append((window.presenter.presenting, window.presenter.screen.isFullScreen()))
        window.presenter.leave()
        window.controller.shutdown()
        window.close()
        return 0

    monkeypatch.setattr(type(QApplication.instance()), "exec", exec_)
    assert app_module.run_app(presenter=args.presenter) == 0
    assert seen == [(True, True)]
