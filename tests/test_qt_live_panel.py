"""The panels' shared plumbing: nothing is drawn off screen, the latest is drawn when revealed, and
while training runs an expensive panel draws at most its rate."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from aegui.qt.live_panel import LivePanel


class Counting(LivePanel):
    max_rate = 4

    def __init__(self):
        super().__init__()
        self.drawn = 0

    def draw(self) -> None:
        self.drawn += 1

    def new_state(self, running: bool = False) -> None:
        if self.due(running):
            self.draw()


def test_off_screen_state_is_drawn_once_when_revealed(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    front, panel = QWidget(), Counting()
    tabs.addTab(front, "front")
    tabs.addTab(panel, "panel")
    tabs.show()
    qtbot.waitExposed(tabs)
    for _ in range(3):                 # behind another tab: nothing drawn, the panel is stale
        panel.new_state()
    assert panel.drawn == 0 and panel.stale
    tabs.setCurrentWidget(panel)       # shown: its showEvent reveals it, one draw of the latest
    qtbot.waitUntil(lambda: panel.drawn == 1)
    assert not panel.stale
    panel.revealed()                   # nothing new came: nothing to draw again
    assert panel.drawn == 1


def test_while_running_an_expensive_panel_draws_at_most_its_rate(qtbot):
    panel = Counting()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    drawn = panel.drawn
    for _ in range(50):                # 50 frames in a few milliseconds while training runs: one draw
        panel.new_state(running=True)
    assert panel.drawn == drawn + 1
    panel.new_state(running=False)     # paused: the last state is drawn at once
    assert panel.drawn == drawn + 2
