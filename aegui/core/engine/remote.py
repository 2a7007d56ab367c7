"""The trainer in a process of its own, so that drawing never competes with training for the GIL.

A thread next to the window shares one interpreter lock with it: every Python line the views run to
paint a frame stalls the trainer's Python glue between torch operations (measured: a quarter of the
headless speed on two cores). :class:`RemoteTrainer` starts one child process (``spawn``) that owns the
:class:`Trainer`; both sides talk over one pipe with tuples:

parent → child
    ``("build", train, test, model, training, keep_weights, weights)``, ``("adopt", session)``, ``("run",)``,
    ``("step", unit)``, ``("set_training", spec)``, ``("set_parameter", layer, kind, row, col, value)``,
    ``("view", index | None)`` (show a timeline point, or the present), ``("branch", index)`` (train on
    from a timeline point) — queued and run in order by the child's main thread;
    ``("pause",)``, ``("stop",)``, ``("snapshot",)``, ``("display", observation)``, ``("speed", delay)``,
    ``("stream", seconds)`` (publish on its own at that interval while running), ``("session", name)``,
    ``("insight", user, top, min_ratings)``, ``("encode", ratings)``, ``("export_model", path)``, ``("release", name)``
    (the window has copied a snapshot's weights out of shared block ``name``), ``("quit",)`` —
    handled at once by the child's listener thread (thread-safe flags on the trainer, as between
    threads; the last three wait for the trainer's lock, at most one update).
child → parent
    ``("built", info)``, ``("snapshot", Snapshot)``, ``("shared", name, layout, Snapshot without its
    weights, names of all blocks)`` (they wait in shared memory: :mod:`.shared_weights`),
    ``("event", Event)``, ``("state", state, message)``, ``("failed", text)``, ``("session", Session | None)``,
    ``("insight", Insight)``, ``("encoded", Encoding)``, ``("exported", (pt_path, json_path))``.

Only the application's own objects cross the pipe (it never reads files); sessions on disk stay
pickle-free (see :mod:`aegui.core.session`).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import sys
import threading
import traceback

from .shared_weights import SlotPool, SlotReader, remove_blocks

_CONTROL = {"pause", "stop", "snapshot", "display", "speed", "stream", "session", "insight", "encode",
            "export_model", "release", "quit"}
#: control messages that compute with the trainer's network: their failures are reported, not fatal
_QUERIES = {"insight": "insight", "encode": "encoded", "export_model": "exported"}


class _Server:
    """The child side: the trainer, a listener thread for control messages, and a command queue."""

    def __init__(self, conn):
        self.conn = conn
        self.commands: queue.Queue = queue.Queue()
        self.trainer = None
        self.display = None
        self.delay = 0.0
        self.stream = 0.0
        # the outbox: messages in order, and only the newest snapshot; a sender thread writes them, so
        # the trainer never waits for the window to read a large snapshot from the pipe
        self._out = threading.Condition()
        self._messages: list[tuple] = []
        self._snapshot = None
        self._quit = False
        self.pool = SlotPool()

    def send(self, *message) -> None:
        with self._out:
            if message[0] == "snapshot":
                self._snapshot = message
            else:
                self._messages.append(message)
            self._out.notify()

    def sender(self) -> None:
        while True:
            with self._out:
                while not self._messages and self._snapshot is None and not self._quit:
                    self._out.wait()
                if self._quit:  # the window is closing: nothing more to say, and the blocks go
                    return
                batch, self._messages = self._messages, []
                if self._snapshot is not None:
                    batch.append(self._snapshot)
                    self._snapshot = None
            try:
                for message in batch:
                    self.conn.send(self.pool.pack(message[1]) if message[0] == "snapshot" else message)
            except (BrokenPipeError, OSError):
                return

    # ------------------------------------------------------------------ listener thread
    def listen(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                message = ("quit",)
            kind = message[0]
            if kind in _CONTROL:
                self.control(kind, message[1:])
                if kind == "quit":
                    return
            else:
                self.commands.put(message)

    def control(self, kind: str, args: tuple) -> None:
        t = self.trainer
        if kind == "pause":  # a pause right after play cancels the play not yet started
            with self.commands.mutex:
                kept = [m for m in self.commands.queue if m[0] != "run"]
                cancelled = len(kept) != len(self.commands.queue)
                self.commands.queue = type(self.commands.queue)(kept)
            if cancelled and t is not None and t.state != "running":
                self.send("state", t.state, t.message)
        if kind == "quit":
            if t is not None:
                t.stop()
            self.commands.put(("quit",))
        elif kind == "release":
            self.pool.release(args[0])
        elif kind == "display":
            self.display = args[0]
            if t is not None:
                t.display_observation = args[0]
                t.request_snapshot()
                if t.state != "running":
                    self.publish()
        elif kind == "speed":
            self.delay = args[0]
            if t is not None:
                t.delay_s = args[0]
        elif kind == "stream":
            self.stream = args[0]
            if t is not None:
                t.stream_interval_s = args[0]
        elif t is None:
            return
        elif kind == "pause":
            t.pause()
        elif kind == "stop":
            t.stop()
        elif kind == "snapshot":
            if t.state == "running":
                t.request_snapshot()
            else:
                self.publish()
        elif kind == "session":
            from ..session import session_from_trainer

            self.send("session", session_from_trainer(t, name=args[0]))
        elif kind in _QUERIES:
            try:
                self.send(_QUERIES[kind], getattr(t, kind)(*args))
            except (ValueError, OSError) as exc:
                self.send("failed", str(exc))

    def publish(self) -> None:
        if self.trainer is not None:
            self.send("snapshot", self.trainer.snapshot())

    # ------------------------------------------------------------------ main thread
    def serve(self) -> None:
        from .threads import configure

        configure(None, headless=False)
        # the sender writes a large snapshot in many socket-sized chunks and needs the interpreter lock
        # back after each: hand it over every 0.5 ms instead of 5 ms, or a frame waits for ~20 slices
        sys.setswitchinterval(0.0005)
        threading.Thread(target=self.listen, daemon=True, name="aegui-listener").start()
        sender = threading.Thread(target=self.sender, daemon=True, name="aegui-sender")
        sender.start()
        while True:
            message = self.commands.get()
            if message[0] == "quit":
                with self._out:
                    self._quit = True
                    self._out.notify()
                sender.join(2.0)  # not while it fills a block
                self.pool.close()
                return
            try:
                getattr(self, f"do_{message[0]}")(*message[1:])
            except Exception as exc:  # noqa: BLE001 - every failure reaches the user as a message
                traceback.print_exc()
                self.send("failed", f"{message[0].replace('_', ' ').capitalize()} failed: {exc}")
            if self.trainer is not None:
                self.publish()
                self.send("state", self.trainer.state, self.trainer.message)

    def _attach(self, trainer) -> None:
        trainer.on_event = lambda event: self.send("event", event)
        trainer.on_snapshot = lambda snapshot: self.send("snapshot", snapshot)
        trainer.display_observation = self.display
        trainer.delay_s = self.delay
        trainer.stream_interval_s = self.stream
        trainer.stream_ready = self.pool.ready
        self.trainer = trainer
        self.send("built", {"n_observations": trainer.n_obs, "n_features": trainer.n_features,
                            "model": trainer.model, "training": trainer.training})

    def do_build(self, train, test, model, training, keep_weights, weights=None) -> None:
        """A new trainer; ``keep_weights`` continues from the current network when the shapes allow (and,
        for the same model, from its progress and history: an edit of the data does not restart the
        charts), ``weights`` (a state dict) starts from given ones (the seed's example)."""
        from .network import Network
        from .trainer import Trainer

        network = None
        old = self.trainer
        sizes = model.layer_sizes(model.n_inputs(train))
        if weights is not None:
            network = Network(sizes, model.layer_activations())
            network.load_state_dict(weights)
        elif keep_weights and old is not None:
            if old.network.sizes == sizes and old.network.activations == model.layer_activations():
                network = old.present_network()
        trainer = Trainer(train, model, training, test=test, network=network)
        if network is not None and weights is None and old.model == model:
            # the same network on edited data: its epochs, curves and progress go on
            trainer.restore(old.progress(), old.history_lists())
        self._attach(trainer)

    def do_adopt(self, session) -> None:
        from ..session import trainer_from_session

        self._attach(trainer_from_session(session))

    def do_run(self) -> None:
        self.send("state", "running", self.trainer.stage.info.title)
        self.trainer.run()

    def do_step(self, unit: str) -> None:
        {"observation": self.trainer.step_observation, "batch": self.trainer.step_batch,
         "epoch": self.trainer.step_epoch}[unit]()

    def do_set_training(self, training) -> None:
        self.trainer.set_training(training)

    def do_set_parameter(self, layer: int, kind: str, row: int, col: int, value: float) -> None:
        self.trainer.set_parameter(layer, kind, row, col, value)

    def do_view(self, index: int | None) -> None:
        self.trainer.view(index)

    def do_branch(self, index: int) -> None:
        self.trainer.branch(index)


def drain(inbox: queue.Queue) -> list:
    """Everything in ``inbox`` now, without waiting."""
    out = []
    while True:
        try:
            out.append(inbox.get_nowait())
        except queue.Empty:
            return out


def _widen(conn, size: int = 4 << 20) -> None:
    """Ask for large socket buffers (the kernel caps them), so that a snapshot crosses in a few writes."""
    import socket

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


def _serve(conn) -> None:
    _Server(conn).serve()


class RemoteTrainer:
    """The parent side: start the child, send commands, collect what it sends back."""

    def __init__(self):
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        _widen(self.conn)
        _widen(child)
        self.process = ctx.Process(target=_serve, args=(child,), daemon=True, name="aegui-trainer")
        self.process.start()
        child.close()
        # a reader thread takes whole messages off the pipe: a large snapshot arrives in many chunks,
        # and waiting for them must never stall the window
        self._closing = False
        self._send_lock = threading.Lock()  # the window's thread and the reader both send
        self._slots = SlotReader()          # the reader's alone
        self._inbox: queue.Queue = queue.Queue()
        self._session: queue.Queue = queue.Queue()
        # only the newest snapshot waits for the window; the shared blocks its weights were copied from
        # go back when the window takes it, so the stream runs as fast as the window takes snapshots
        self._latest_lock = threading.Lock()
        self._latest = None
        self._held: list[str] = []
        self._blocks: set[str] = set()      # every block named, removed after the child ends
        self._reader = threading.Thread(target=self._read, daemon=True, name="aegui-reader")
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                try:
                    message = self.conn.recv()
                except (EOFError, OSError):
                    if not self._closing:
                        self._inbox.put(("failed", "the training process ended unexpectedly"))
                    self._session.put(None)
                    return
                if message[0] == "session":
                    self._session.put(message[1])
                elif message[0] == "shared":
                    self._take_shared(*message[1:])
                elif message[0] == "snapshot":
                    with self._latest_lock:
                        self._latest = message[1]
                else:
                    self._inbox.put(message)
        finally:
            self._slots.close()

    def _take_shared(self, name: str, layout, rest, blocks) -> None:
        self._blocks.update(blocks)
        try:
            snapshot = self._slots.unpack(name, layout, rest)
        except (OSError, ValueError) as exc:  # the block is gone: the next frame brings another
            self._inbox.put(("failed", f"a snapshot could not be read from shared memory: {exc}"))
            self.send("release", name)
            return
        with self._latest_lock:
            self._latest = snapshot
            self._held.append(name)

    def send(self, *message) -> None:
        try:
            with self._send_lock:
                self.conn.send(message)
        except (BrokenPipeError, OSError):
            pass  # the child is gone; ``alive`` tells, and messages() reports it

    def messages(self) -> list[tuple]:
        """Everything the child has sent since the last call, and then the newest snapshot if one came
        (never blocks); the blocks of the snapshots taken or passed over go back to the child."""
        out = drain(self._inbox)
        with self._latest_lock:
            latest, self._latest = self._latest, None
            held, self._held = self._held, []
        for name in held:
            self.send("release", name)
        if latest is not None:
            out.append(("snapshot", latest))
        return out

    def request_session(self, name: str, timeout: float = 30.0):
        """Ask for a :class:`~aegui.core.session.Session` of the current state and wait for it."""
        self.send("session", name)
        try:
            session = self._session.get(timeout=timeout)
        except queue.Empty:
            session = None
        if session is None:
            raise TimeoutError("the training process did not answer")
        return session

    def close(self, timeout: float = 5.0) -> bool:
        """Stop training and end the child; ``True`` when it ended by itself in time."""
        self._closing = True
        self.send("quit")
        self.process.join(timeout)
        clean = not self.process.is_alive()
        if not clean:
            self.process.terminate()
            self.process.join(1.0)
        self._reader.join(2.0)  # it closes its views of the blocks when the pipe ends
        remove_blocks(self._blocks)  # those a child that did not quit cleanly left behind
        return clean
