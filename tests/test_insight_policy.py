"""The insight request policy without a window: a fake clock, and requests counted by ``due``."""

import subprocess
import sys

from aegui.core.insight_policy import InsightPolicy


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def policy(**kw):
    clock = Clock()
    return InsightPolicy(clock=clock, interval_s=1.0, cost_ratio=10, timeout_s=10.0, **kw), clock


def test_paused_asks_once_per_change_and_not_twice_at_a_time():
    p, clock = policy()
    assert p.due(False, 5, 0, False, ("u", 0))
    assert not p.due(False, 5, 0, False, ("u", 0))          # the same thing again
    assert not p.due(False, 5, 0, False, ("u", 1))          # another, but one is still pending
    p.answered()
    assert p.due(False, 5, 0, False, ("u", 1))              # paused: at once, however soon


def test_unanswered_request_is_asked_again_after_the_timeout():
    p, clock = policy()
    assert p.due(False, 1, 0, False, "a")
    clock.now += 9.9
    assert not p.due(False, 2, 0, False, "a")
    clock.now += 0.2
    assert p.due(False, 2, 0, False, "a")


def test_running_is_rate_limited_by_interval_and_round_trip():
    p, clock = policy()
    # (seconds later, what happens, whether an insight is due); every request is for a new step
    script = [(0.0, "ask", True), (0.05, "answer", None),      # a round trip of 0.05 s: the interval rules
              (0.9, "ask", False), (0.1, "ask", True),          # 0.95 s, then 1.05 s after the first request
              (0.3, "answer", None),                            # a round trip of 0.3 s: 3 s between requests
              (2.0, "ask", False), (1.1, "ask", True)]
    for step, (later, what, due) in enumerate(script):
        clock.now += later
        if what == "answer":
            p.answered()
        else:
            assert p.due(True, step, 0, False, "a") == due, (step, later)


def test_epochs_only_while_running_keys_on_epochs_not_steps():
    p, clock = policy()
    asked = []
    for step, epochs, running in ((10, 1, True), (20, 1, True), (30, 2, True), (30, 2, False)):
        clock.now += 5
        asked.append(p.due(running, step, epochs, True, "a"))
        if asked[-1]:
            p.answered()                                    # at once: no round trip to wait for
    # more steps in the same epoch ask nothing; paused, the step is the moment again
    assert asked == [True, False, True, True]


def test_a_new_model_voids_the_last_key_and_the_pending_request():
    p, clock = policy()
    assert p.due(False, 0, 0, False, "a")
    p.new_model()
    assert p.due(False, 0, 0, False, "a")


def test_the_policy_imports_no_qt():
    code = "import sys, aegui.core.insight_policy; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
