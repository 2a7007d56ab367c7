"""The trainer in a process of its own, so that drawing never competes with training for the GIL.

A thread next to the window shares one interpreter lock with it: every Python line the views run to
paint a frame stalls the trainer's Python glue between torch operations (measured: a quarter of the
headless speed on two cores). :class:`RemoteTrainer` starts one child process (``spawn``, through
:class:`~.process_host.ProcessHost`) that owns the :class:`Trainer`; the two sides exchange the
commands and replies of :mod:`.protocol` over one pipe. In the child, a listener thread takes every
command off the pipe: queued ones go to the main thread, which runs them in order; the others are
handled at once (:meth:`_Server.control`).
"""

from __future__ import annotations

import queue
import sys
import threading
import traceback

from . import protocol as p
from .process_host import ProcessHost
from .shared_weights import SlotPool, SlotReader, remove_blocks

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

    def send(self, reply: p.Reply) -> None:
        with self._out:
            if isinstance(reply, p.SnapshotReady):
                self._snapshot = reply
            else:
                self._messages.append(reply)
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
                    self.conn.send(self.pool.pack(message.snapshot) if isinstance(message, p.SnapshotReady)
                                   else message)
            except (BrokenPipeError, OSError):
                return

    # ------------------------------------------------------------------ listener thread
    def listen(self) -> None:
        while True:
            try:
                command = self.conn.recv()
            except (EOFError, OSError):
                command = p.Quit()
            if command.queued:
                self.commands.put(command)
                continue
            self.control(command)
            if isinstance(command, p.Quit):
                return

    def control(self, command: p.Command) -> None:
        """A command handled at once, beside whatever the main thread is running."""
        t = self.trainer
        match command:
            case p.Pause():
                self._cancel_run()
                if t is not None:
                    t.pause()
            case p.Quit():
                if t is not None:
                    t.stop()
                self.commands.put(command)
            case p.Release(block):
                self.pool.release(block)
            case p.Display(observation):
                self.display = observation
                if t is not None:
                    t.display_observation = observation
                    t.request_snapshot()
                    if t.state != p.State.RUNNING:
                        self.publish()
            case p.Speed(delay):
                self.delay = delay
                if t is not None:
                    t.delay_s = delay
            case p.Stream(interval):
                self.stream = interval
                if t is not None:
                    t.stream_interval_s = interval
            case _ if t is None:
                return
            case p.Stop():
                t.stop()
            case p.RequestSnapshot():
                if t.state == p.State.RUNNING:
                    t.request_snapshot()
                else:
                    self.publish()
            case p.RequestSession(name):
                from ..session import session_from_trainer

                self.send(p.SessionReady(session_from_trainer(t, name=name)))
            case p.RequestInsight() | p.Encode() | p.ExportModel():
                self._query(t, command)

    def _cancel_run(self) -> None:
        """A pause right after play cancels the play not yet started (and says the state stays)."""
        with self.commands.mutex:
            kept = [c for c in self.commands.queue if not isinstance(c, p.Run)]
            cancelled = len(kept) != len(self.commands.queue)
            self.commands.queue = type(self.commands.queue)(kept)
        t = self.trainer
        if cancelled and t is not None and t.state != p.State.RUNNING:
            self.send(p.StateChanged(t.state, t.message))

    def _query(self, t, command) -> None:
        """A question computed with the trainer's network; its failure is reported, not fatal."""
        try:
            match command:
                case p.RequestInsight(user, top, min_ratings):
                    self.send(p.InsightReady(t.insight(user, top, min_ratings)))
                case p.Encode(ratings):
                    self.send(p.Encoded(t.encode(ratings)))
                case p.ExportModel(path):
                    self.send(p.Exported(t.export_model(path)))
        except (ValueError, OSError) as exc:
            self.send(p.Failed(str(exc)))

    def publish(self) -> None:
        if self.trainer is not None:
            self.send(p.SnapshotReady(self.trainer.snapshot()))

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
            command = self.commands.get()
            if isinstance(command, p.Quit):
                with self._out:
                    self._quit = True
                    self._out.notify()
                sender.join(2.0)  # not while it fills a block
                self.pool.close()
                return
            try:
                self.run(command)
            except Exception as exc:  # noqa: BLE001 - every failure reaches the user as a message
                traceback.print_exc()
                self.send(p.Failed(f"{type(command).__name__} failed: {exc}"))
            if self.trainer is not None:
                self.publish()
                self.send(p.StateChanged(self.trainer.state, self.trainer.message))

    def run(self, command: p.Command) -> None:
        """A queued command, on the main thread."""
        match command:
            case p.Build():
                self.build(command)
            case p.Adopt(session):
                from ..session import trainer_from_session

                self._attach(trainer_from_session(session))
            case p.Run():
                self.send(p.StateChanged(p.State.RUNNING, self.trainer.stage.info.title))
                self.trainer.run()
            case p.Step(unit):
                {"observation": self.trainer.step_observation, "batch": self.trainer.step_batch,
                 "epoch": self.trainer.step_epoch}[unit]()
            case p.SetTraining(training):
                self.trainer.set_training(training)
            case p.SetParameter(layer, kind, row, col, value):
                self.trainer.set_parameter(layer, kind, row, col, value)
            case p.View(index):
                self.trainer.view(index)
            case p.Branch(index):
                self.trainer.branch(index)

    def _attach(self, trainer) -> None:
        trainer.on_event = lambda event: self.send(p.EventHappened(event))
        trainer.on_snapshot = lambda snapshot: self.send(p.SnapshotReady(snapshot))
        trainer.display_observation = self.display
        trainer.delay_s = self.delay
        trainer.stream_interval_s = self.stream
        trainer.stream_ready = self.pool.ready
        self.trainer = trainer
        self.send(p.Built({"n_observations": trainer.n_obs, "n_features": trainer.n_features,
                           "model": trainer.model, "training": trainer.training}))

    def build(self, command: p.Build) -> None:
        """A new trainer; ``keep_weights`` continues from the current network when the shapes allow (and,
        for the same model, from its progress and history: an edit of the data does not restart the
        charts), ``weights`` (a state dict) starts from given ones (the seed's example)."""
        from .network import Network
        from .trainer import Trainer

        train, test, model, training, weights = (command.train, command.test, command.model, command.training,
                                                 command.weights)
        network = None
        old = self.trainer
        sizes = model.layer_sizes(model.n_inputs(train))
        if weights is not None:
            network = Network(sizes, model.layer_activations())
            network.load_state_dict(weights)
        elif command.keep_weights and old is not None:
            if old.network.sizes == sizes and old.network.activations == model.layer_activations():
                network = old.present_network()
        trainer = Trainer(train, model, training, test=test, network=network)
        if network is not None and weights is None and old.model == model:
            # the same network on edited data: its epochs, curves and progress go on
            trainer.restore(old.progress(), old.history_lists())
        self._attach(trainer)


def _serve(conn) -> None:
    _Server(conn).serve()


class RemoteTrainer(ProcessHost):
    """The parent side: start the child, send :mod:`.protocol` commands, collect its replies. The
    newest snapshot waits apart (older ones are dropped: latest wins), and the shared blocks its
    weights were copied from go back when the window takes it, so that the stream runs as fast as the
    window takes snapshots."""

    what = "training"

    def __init__(self):
        self._slots = SlotReader()          # the reader's alone
        self._session: queue.Queue = queue.Queue()
        self._latest_lock = threading.Lock()
        self._latest = None
        self._held: list[str] = []
        self._blocks: set[str] = set()      # every block named, removed after the child ends
        super().__init__(_serve, name="aegui-trainer")

    def take(self, reply) -> bool:
        match reply:
            case p.SessionReady(session):
                self._session.put(session)
            case p.SnapshotShared():
                self._take_shared(reply)
            case p.SnapshotReady(snapshot):
                with self._latest_lock:
                    self._latest = snapshot
            case _:
                return False
        return True

    def ended(self) -> None:
        self._session.put(None)
        self._slots.close()  # the reader's views of the blocks

    def ask_to_end(self) -> None:
        self.send(p.Quit())

    def _take_shared(self, reply: p.SnapshotShared) -> None:
        self._blocks.update(reply.blocks)
        try:
            snapshot = self._slots.unpack(reply.block, reply.layout, reply.snapshot)
        except (OSError, ValueError) as exc:  # the block is gone: the next frame brings another
            self._inbox.put(p.Failed(f"a snapshot could not be read from shared memory: {exc}"))
            self.send(p.Release(reply.block))
            return
        with self._latest_lock:
            self._latest = snapshot
            self._held.append(reply.block)

    def messages(self) -> list:
        """Every reply since the last call, and then the newest snapshot if one came (never blocks);
        the blocks of the snapshots taken or passed over go back to the child."""
        out = super().messages()
        with self._latest_lock:
            latest, self._latest = self._latest, None
            held, self._held = self._held, []
        for name in held:
            self.send(p.Release(name))
        if latest is not None:
            out.append(p.SnapshotReady(latest))
        return out

    def request_session(self, name: str, timeout: float = 30.0):
        """Ask for a :class:`~aegui.core.session.Session` of the current state and wait for it."""
        self.send(p.RequestSession(name))
        try:
            session = self._session.get(timeout=timeout)
        except queue.Empty:
            session = None
        if session is None:
            raise TimeoutError("the training process did not answer")
        return session

    def close(self, timeout: float = 5.0) -> bool:
        """Stop training and end the child; ``True`` when it ended by itself in time."""
        clean = super().close(timeout)
        remove_blocks(self._blocks)  # those a child that did not quit cleanly left behind
        return clean
