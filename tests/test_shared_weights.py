"""Snapshots' weights through shared memory: the blocks carry exact copies, pace the stream and are
all removed at the end."""

from __future__ import annotations

import time
from dataclasses import replace
from multiprocessing import shared_memory

import numpy as np

from aegui.core.data.demo import load_demo
from aegui.core.engine import protocol as p
from aegui.core.engine.remote import RemoteTrainer
from aegui.core.engine.shared_weights import SlotPool, SlotReader
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer


def _snapshot(hidden=(3,), seed=0):
    trainer = Trainer(load_demo("seed-toy"), ModelSpec(hidden=hidden), TrainSpec(epochs=1, seed=seed))
    trainer.step_batch()
    return trainer.snapshot(gradients=False)


def _gone(name: str) -> bool:
    try:
        shared_memory.SharedMemory(name=name).close()
    except FileNotFoundError:
        return True
    return False


def test_weights_cross_exactly_and_read_only():
    pool, reader = SlotPool(), SlotReader()
    try:
        snap = _snapshot(hidden=(4, 2))
        packed = pool.pack(snap)
        assert isinstance(packed, p.SnapshotShared)
        name, layout, rest, blocks = packed.block, packed.layout, packed.snapshot, packed.blocks
        assert rest.weights == () and name in blocks and len(blocks) == 2
        back = reader.unpack(name, layout, rest)
        assert len(back.weights) == len(snap.weights)
        for got, want in zip(back.weights, snap.weights):
            np.testing.assert_array_equal(got, want)
            assert got.dtype == want.dtype and not got.flags.writeable
        # a copy: the block's next use does not change the snapshot already taken
        pool.release(name)
        other = replace(snap, weights=tuple(np.full_like(w, 7.0) for w in snap.weights))
        assert isinstance(pool.pack(other), p.SnapshotShared)
        np.testing.assert_array_equal(back.weights[0], snap.weights[0])
    finally:
        reader.close()
        pool.close()


def test_without_a_free_block_the_snapshot_goes_whole_and_the_stream_waits():
    pool = SlotPool(slots=2)
    try:
        snap = _snapshot()
        assert pool.ready()
        names = [pool.pack(snap).block]
        assert not pool.ready()
        names.append(pool.pack(snap).block)
        assert pool.pack(snap) == p.SnapshotReady(snap)
        pool.release(names[0])
        assert not pool.ready()  # the stream waits until the window has taken every snapshot
        pool.release(names[1])
        assert pool.ready()
    finally:
        pool.close()


def test_larger_weights_retire_blocks_removed_when_given_back_and_close_removes_the_rest():
    pool = SlotPool(slots=2)
    small, large = _snapshot(hidden=(2,)), _snapshot(hidden=(40, 20))
    in_flight = pool.pack(small).block
    free_small = next(n for n in pool._blocks if n != in_flight)
    packed = pool.pack(large)
    bigger, blocks = packed.block, packed.blocks
    assert in_flight in blocks and free_small not in blocks  # the retired one is still named
    assert _gone(free_small) and not _gone(in_flight)  # the one the window holds stays until given back
    pool.release(in_flight)
    assert _gone(in_flight)
    pool.close()
    assert _gone(bigger)
    assert isinstance(pool.pack(small), p.SnapshotReady)  # after close: whole snapshots, no new blocks


def test_a_trainer_streams_only_when_the_receiver_is_ready():
    trainer = Trainer(load_demo("seed-toy"), ModelSpec(hidden=(3,)), TrainSpec(epochs=200))
    got = []
    trainer.on_snapshot = got.append
    trainer.stream_interval_s = 1e-9
    trainer.stream_ready = lambda: False
    trainer.run(max_epochs=20)
    assert got == []
    trainer.stream_ready = lambda: True
    trainer.run(max_epochs=20)
    assert len(got) >= 20


def test_the_training_process_streams_through_shared_memory_and_leaves_no_block():
    remote = RemoteTrainer()
    try:
        remote.send(p.Stream(0.001))
        remote.send(p.Display(0))
        remote.send(p.Build(load_demo("ml100k-like"), None, ModelSpec(hidden=(20,)), TrainSpec(epochs=10_000)))
        remote.send(p.Run())
        snaps, end = [], time.monotonic() + 60
        while len(snaps) < 10 and time.monotonic() < end:
            snaps += [m.snapshot for m in remote.messages() if isinstance(m, p.SnapshotReady)]
            time.sleep(0.01)
        assert len(snaps) >= 10
        names = list(remote._slots._open)
        assert names, "the streamed snapshots came through shared memory"
        s = snaps[-1]
        assert [w.shape for w in s.weights] == [(20, 1682), (1682, 20)]
        assert s.trace is not None and np.isfinite(s.weights[0]).all()
        # the window takes the newest snapshot only, and gives its blocks back then: the stream waits
        time.sleep(0.5)
        assert sum(isinstance(m, p.SnapshotReady) for m in remote.messages()) == 1
    finally:
        assert remote.close()
    assert all(_gone(name) for name in names)


def test_blocks_of_a_training_process_that_died_are_removed_when_the_window_closes():
    remote = RemoteTrainer()
    remote.send(p.Stream(0.001))
    remote.send(p.Display(0))
    remote.send(p.Build(load_demo("ml100k-like"), None, ModelSpec(hidden=(20,)), TrainSpec(epochs=10_000)))
    remote.send(p.Run())
    end = time.monotonic() + 60
    while not remote._blocks and time.monotonic() < end:
        remote.messages()
        time.sleep(0.01)
    names = set(remote._blocks)
    assert len(names) == 2 and not any(_gone(n) for n in names)
    remote.process.kill()  # no quit: the child cannot remove them itself
    remote.process.join(10)
    remote.close()
    assert all(_gone(n) for n in names)
