"""One spawned child process and its pipe, shared by the trainer's process (:mod:`.remote`) and a
comparison's (:mod:`.compare`): the parent's side of both.

A reader thread takes whole messages off the pipe as they come (a large one arrives in many chunks,
and waiting for it must never stall the window) into an inbox that :meth:`ProcessHost.messages`
drains without blocking. A child that ends without its last word (:meth:`ProcessHost.final`) is
reported as a :class:`~.protocol.Failed` reply.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import socket
import threading
from typing import Callable

from .protocol import Failed, Reply


def drain(inbox: queue.Queue) -> list:
    """Everything in ``inbox`` now, without waiting."""
    out = []
    while True:
        try:
            out.append(inbox.get_nowait())
        except queue.Empty:
            return out


def widen(conn, size: int = 4 << 20) -> None:
    """Ask for large socket buffers (the kernel caps them), so that a snapshot crosses in a few writes."""
    try:
        sock = socket.socket(fileno=conn.fileno())
    except OSError:
        return
    try:
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, size)
    except OSError:
        pass
    finally:
        sock.detach()  # the connection keeps the descriptor


class ProcessHost:
    """Start ``target(conn, *args)`` in a spawned daemon process named ``name``; collect its replies.

    Subclasses may keep some replies out of the inbox (:meth:`take`), say which reply is the child's
    last word (:meth:`final`), ask the child to end (:meth:`ask_to_end`) and clean up after the pipe
    closes (:meth:`ended`)."""

    what = "child"

    def __init__(self, target: Callable, args: tuple = (), *, name: str, duplex: bool = True):
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe(duplex=duplex)
        if duplex:
            widen(self.conn)
            widen(child)
        self.process = ctx.Process(target=target, args=(child, *args), daemon=True, name=name)
        self.process.start()
        child.close()
        self._closing = False
        self._said_last = False
        self._send_lock = threading.Lock()  # the window's thread and the reader may both send
        self._inbox: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"{name}-reader")
        self._reader.start()

    # ------------------------------------------------------------------ for subclasses
    def take(self, reply: Reply) -> bool:
        """Handle ``reply`` on the reader thread instead of queueing it; ``True`` when it was taken."""
        return False

    def final(self, reply: Reply) -> bool:
        """``True`` when ``reply`` is the child's last word (after it, the pipe may close quietly)."""
        return False

    def ask_to_end(self) -> None:
        """Tell the child to finish (a quit message, an event)."""

    def ended(self) -> None:
        """The pipe has closed (on the reader thread)."""

    # ------------------------------------------------------------------ the parent's side
    def _read(self) -> None:
        try:
            while True:
                try:
                    reply = self.conn.recv()
                except (EOFError, OSError):
                    if not self._said_last and not self._closing:
                        self._inbox.put(Failed(f"the {self.what} process ended unexpectedly"))
                    return
                self._said_last = self._said_last or self.final(reply)
                if not self.take(reply):
                    self._inbox.put(reply)
        finally:
            self.ended()

    def send(self, command) -> None:
        """Send ``command``; a child that is gone is reported by :meth:`messages`, not here."""
        try:
            with self._send_lock:
                self.conn.send(command)
        except (BrokenPipeError, OSError):
            pass

    def messages(self) -> list:
        """Every reply since the last call (never blocks)."""
        return drain(self._inbox)

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self, timeout: float = 5.0) -> bool:
        """Ask the child to end and wait ``timeout`` s, then terminate it (and kill it if it must);
        ``True`` when it ended by itself in time."""
        self._closing = True
        self.ask_to_end()
        self.process.join(timeout)
        clean = not self.process.is_alive()
        if not clean:
            self.process.terminate()
            self.process.join(2.0)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(2.0)
        self._reader.join(2.0)
        self.conn.close()
        return clean
