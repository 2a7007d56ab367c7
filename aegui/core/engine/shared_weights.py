"""The weights of snapshots through shared memory, from the trainer's process to the window's.

Through the pipe, each snapshot's weights (15 MB for a 3706-500-3706 network) were pickled, written to a
socket, read and unpickled: four copies and a few milliseconds of both processes per frame, which held
the view at 14–20 frames a second and slowed training. Here the trainer's side copies them into one of
:data:`SLOTS` shared-memory blocks and sends the block's name with the rest of the snapshot; the window's
side copies them out (its snapshots stay immutable and its own) and gives the block back at once.

The blocks are also the stream's flow control: the window gives a block back when it takes the
snapshot (or a newer one), so while none is free the window has not taken the last snapshots yet, and
the trainer makes no new streamed one (:meth:`SlotPool.ready`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from multiprocessing import shared_memory

import numpy as np

from .protocol import SnapshotReady, SnapshotShared

#: blocks: a streamed snapshot uses one at a time; the other carries a snapshot of a state change (a
#: pause, a step) sent while the window still holds the streamed one
SLOTS = 2
#: each array starts at a multiple of this many bytes
_ALIGN = 64


def _layout(weights) -> tuple[tuple[tuple[int, ...], str, int], ...]:
    """``(shape, dtype, byte offset)`` of each array, packed one after the other."""
    out, offset = [], 0
    for w in weights:
        out.append((tuple(w.shape), w.dtype.str, offset))
        offset += -(-w.nbytes // _ALIGN) * _ALIGN
    return tuple(out)


def _nbytes(layout) -> int:
    shape, dtype, offset = layout[-1]
    return offset + int(np.prod(shape)) * np.dtype(dtype).itemsize


class SlotPool:
    """The trainer's side: :meth:`pack` turns a snapshot into a message, :meth:`release` takes a block
    back (any thread)."""

    def __init__(self, slots: int = SLOTS):
        self._count = slots
        self._lock = threading.Lock()
        self._blocks: dict[str, shared_memory.SharedMemory] = {}   # the current size's blocks
        self._free: list[str] = []
        self._retired: dict[str, shared_memory.SharedMemory] = {}  # smaller ones still with the window
        self._size = 0
        self._closed = False

    def ready(self) -> bool:
        """Whether the window has given every block back (or none is made yet): it has taken the last
        snapshot, and a streamed one made now is the next it draws. (One in flight at a time: two made
        the trainer copy θ twice a frame, and the window read one of them for nothing.)"""
        with self._lock:
            return len(self._free) == len(self._blocks)

    def pack(self, snapshot) -> SnapshotReady | SnapshotShared:
        """:class:`SnapshotReady` when no block is free, else :class:`SnapshotShared`: the weights copied
        into a free block at a layout, the snapshot without them, and the names of every block there
        is (the window removes any left behind by a process that did not end cleanly)."""
        weights = snapshot.weights
        if not weights:
            return SnapshotReady(snapshot)
        layout = _layout(weights)
        nbytes = _nbytes(layout)
        with self._lock:
            if self._closed:
                return SnapshotReady(snapshot)
            if nbytes > self._size:
                self._grow(nbytes)
            if not self._free:
                return SnapshotReady(snapshot)
            name = self._free.pop()
            block = self._blocks[name]
            blocks = (*self._blocks, *self._retired)
        for w, (shape, dtype, offset) in zip(weights, layout):
            np.ndarray(shape, dtype, buffer=block.buf, offset=offset)[...] = w
        return SnapshotShared(name, layout, replace(snapshot, weights=()), tuple(blocks))

    def release(self, name: str) -> None:
        """The window has copied block ``name``: it is free again (or gone, if it was retired)."""
        with self._lock:
            if name in self._blocks and name not in self._free:
                self._free.append(name)
            elif name in self._retired:
                _drop(self._retired.pop(name))

    def close(self) -> None:
        """Remove every block (the sender may still be filling one: it is unlinked all the same)."""
        with self._lock:
            self._closed = True
            for block in (*self._blocks.values(), *self._retired.values()):
                _drop(block)
            self._blocks, self._retired, self._free, self._size = {}, {}, [], 0

    def _grow(self, nbytes: int) -> None:
        """Blocks for larger snapshots (a new network): free ones go now, the others when given back."""
        for name, block in self._blocks.items():
            if name in self._free:
                _drop(block)
            else:
                self._retired[name] = block
        self._blocks = {}
        for _ in range(self._count):
            block = shared_memory.SharedMemory(create=True, size=nbytes)
            self._blocks[block.name] = block
        self._free = list(self._blocks)
        self._size = nbytes


def _drop(block: shared_memory.SharedMemory) -> None:
    """Unmap and remove ``block`` (one still being written to is only removed; the process's end
    unmaps it)."""
    try:
        block.close()
    except BufferError:
        pass
    try:
        block.unlink()
    except FileNotFoundError:
        pass


def remove_blocks(names) -> None:
    """Remove the blocks ``names`` that still exist (after the trainer's process has ended)."""
    for name in names:
        try:
            block = shared_memory.SharedMemory(name=name)
        except FileNotFoundError:
            continue
        _drop(block)


class SlotReader:
    """The window's side: :meth:`unpack` copies a snapshot's weights out of its block."""

    def __init__(self, keep: int = SLOTS):
        self._open: OrderedDict[str, shared_memory.SharedMemory] = OrderedDict()
        self._keep = keep

    def unpack(self, name: str, layout, rest):
        """The whole snapshot: ``rest`` with read-only copies of the weights in block ``name``."""
        block = self._open.pop(name, None) or shared_memory.SharedMemory(name=name)
        self._open[name] = block  # the most recently used last
        while len(self._open) > self._keep:  # blocks of an earlier network
            self._open.popitem(last=False)[1].close()
        weights = []
        for shape, dtype, offset in layout:
            w = np.ndarray(shape, dtype, buffer=block.buf, offset=offset).copy()
            w.flags.writeable = False
            weights.append(w)
        return replace(rest, weights=tuple(weights))

    def close(self) -> None:
        for block in self._open.values():
            block.close()
        self._open.clear()
