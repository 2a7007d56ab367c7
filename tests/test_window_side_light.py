"""The window's process never imports torch: everything the trainer's process sends unpickles with
numpy and the application's torch-free modules. (An event class defined beside the trainer made the
window's pipe reader import torch on the first epoch: no message, snapshot or event arrived for over
a second, and a short demo run showed no frame at all.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import sys, time
    from aegui.core.engine import protocol as p
    from aegui.core.engine.remote import RemoteTrainer
    from aegui.core.presets import DEFAULT_PRESET, get_preset

    def main():
        preset = get_preset(DEFAULT_PRESET)
        remote = RemoteTrainer()
        kinds, snapshots, steps = set(), 0, []
        try:
            remote.send(p.Stream(1 / 60))
            remote.send(p.Display(0))
            remote.send(p.Build(preset.ratings(), None, preset.model, preset.training.with_(epochs=400)))
            remote.send(p.Run())
            end = time.monotonic() + 60
            state = None
            while state != p.State.FINISHED and time.monotonic() < end:
                for m in remote.messages():
                    kinds.add(type(m).__name__)
                    if isinstance(m, p.StateChanged):
                        state = m.state
                    if isinstance(m, p.SnapshotReady):
                        snapshots += 1
                        steps.append(m.snapshot.step)
                time.sleep(1 / 30)
            remote.send(p.RequestInsight(0))
            session = remote.request_session("s")
            while "InsightReady" not in kinds and time.monotonic() < end:
                kinds.update(type(m).__name__ for m in remote.messages())
                time.sleep(0.01)
        finally:
            remote.close()
        print(sorted(kinds), snapshots, len(set(steps)), "torch" in sys.modules)

    if __name__ == "__main__":
        main()
""")


def test_the_window_side_unpickles_everything_without_torch(tmp_path):
    script = tmp_path / "window_side.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    kinds, snapshots, distinct, torch_loaded = out.stdout.strip().rsplit(" ", 3)[0], *out.stdout.split()[-3:]
    for kind in ("Built", "EventHappened", "InsightReady", "SnapshotReady", "StateChanged"):
        assert kind in kinds
    assert torch_loaded == "False"
    # a stream of frames while it ran (400 online epochs of the demo take well over a second)
    assert int(distinct) >= 5, out.stdout
