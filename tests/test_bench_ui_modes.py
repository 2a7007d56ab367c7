"""``aegui bench ui --mode presenter|recording`` measures the window while it presents or records (a
smoke test of the measurement, one second a part; the figures themselves are in the README)."""

from __future__ import annotations

import json

import pytest

from aegui.cli import main


@pytest.mark.parametrize("mode", ["presenter", "recording"])
def test_bench_ui_runs_in_presenter_mode_and_while_recording(capsys, mode):
    assert main(["bench", "ui", "--quick", "--json", "--mode", mode]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["mode"] == mode
    assert report["window_fps"] > 0 and report["updates_per_s_window"] > 0 and report["throughput_ratio"] > 0
    assert 0 <= report["latency_ms_p50"] <= report["latency_ms_p99"] <= report["latency_ms_max"]


def test_an_unknown_mode_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "ui", "--mode", "fullscreen"])
    assert exit_.value.code == 2 and "fullscreen" in capsys.readouterr().err
