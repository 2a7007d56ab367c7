"""The insight request policy without a window: a fake clock, and requests counted by ``due``."""

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
    assert p.due(True, 1, 0, False, "a")
    clock.now += 0.05
    p.answered()                                            # a round trip of 0.05 s: the interval rules
    clock.now += 0.9
    assert not p.due(True, 2, 0, False, "a")                # 0.95 s after asking
    clock.now += 0.1
    assert p.due(True, 3, 0, False, "a")                    # 1.05 s
    clock.now += 0.3
    p.answered()                                            # a round trip of 0.3 s: 3 s between requests
    clock.now += 2.0
    assert not p.due(True, 4, 0, False, "a")
    clock.now += 1.1
    assert p.due(True, 5, 0, False, "a")


def test_epochs_only_while_running_keys_on_epochs_not_steps():
    p, clock = policy()
    assert p.due(True, 10, 1, True, "a")
    p.answered()
    clock.now += 5
    assert not p.due(True, 20, 1, True, "a")                # more steps, same epoch
    assert p.due(True, 30, 2, True, "a")
    p.answered()
    assert p.due(False, 30, 2, True, "a")                   # paused: the step is the moment again


def test_a_new_model_voids_the_last_key_and_the_pending_request():
    p, clock = policy()
    assert p.due(False, 0, 0, False, "a")
    p.new_model()
    assert p.due(False, 0, 0, False, "a")
