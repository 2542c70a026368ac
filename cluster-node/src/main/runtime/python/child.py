"""What a forked Python child does: leave the zygote's world, connect to the JVM, become a context, run cells.

Children start generic (no cwd, no environment of a context) so the JVM can keep a few warm; `init`
turns one into a context. Frames are described in docs/runtime-protocol.md.
"""

import os
import signal
import socket
import sys

import numpy

import confinement
import frames
import interrupts
import limit_hints
import runtime_log
import tracebacks
from cell_runner import CellRunner
from output_capture import OutputCapture
from rich_display import RichDisplay

_RUNTIME_DIR = os.path.dirname(__file__)


def run(socket_path, token, zygote_fds, isolation):
    """The whole life of a child, from just after fork(); never returns into the zygote."""
    status = 70
    try:
        _leave_zygote(zygote_fds)
        confinement.prepare(isolation)
        capture = OutputCapture()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(socket_path)
        channel = frames.Channel(sock)
        capture.start(channel.send)
        channel.send({"ev": "hello", "token": token, "pid": os.getpid(), "runtime": "python"})
        Context(channel, capture).serve()
        status = 1  # serve() only returns when init failed
    except BaseException:
        runtime_log.log_exception("python child failed")
    finally:
        os._exit(status)


def _leave_zygote(zygote_fds):
    os.setsid()
    signal.set_wakeup_fd(-1)
    for fd in zygote_fds:
        os.close(fd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    interrupts.install()
    # Forked children would otherwise all draw the same "random" numbers. Python's `random` reseeds itself
    # after fork (random.py registers an at-fork hook); numpy's global generator gets a full MT19937 state
    # from os.urandom (numpy.random.seed() would do the same but copies ~3x more of the shared heap).
    numpy.random.set_state(("MT19937", numpy.frombuffer(os.urandom(624 * 4), dtype=numpy.uint32), 624))
    runtime_log.keep_zygote_stderr()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    # The runtime's modules have generic names (frames, charts, child...): forget them so a user's own
    # module of that name imports, and let cells import from the working directory as in Jupyter.
    # (Listing the directory, not scanning sys.modules: touching every module would copy their pages.)
    for file_name in os.listdir(_RUNTIME_DIR):
        sys.modules.pop(file_name.removesuffix(".py"), None)
    sys.path[:] = ["" if entry == _RUNTIME_DIR else entry for entry in sys.path]
    sys.argv = [""]


class _EnvOverrides:
    """Per-execution environment variables, restored after the cell (values the cell set for them included)."""

    def __init__(self, overrides):
        self._overrides = overrides or {}
        self._saved = {}

    def __enter__(self):
        try:
            for key, value in self._overrides.items():
                self._saved[key] = os.environ.get(key)
                os.environ[key] = value
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc_info):
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Context:
    def __init__(self, channel, capture):
        self._channel = channel
        self._capture = capture
        self._pid = os.getpid()
        self._cell_id = None
        self._display = RichDisplay(self._publish)
        self._display.install()
        self._runner = CellRunner(self._display.show_result)

    def serve(self):
        if not self._init(self._channel.receive()):
            return
        while True:
            message = self._channel.receive()
            if message.get("op") == "exec":
                self._exec(message)
            else:
                runtime_log.log(f"ignoring unexpected frame {message!r:.200}")

    def _init(self, message):
        failure = self._become_context(message)
        if failure:
            self._channel.send({"ev": "init_failed", "message": failure})
            return False
        self._channel.send({"ev": "ready"})
        return True

    def _become_context(self, message):
        """Applies init; returns why it cannot, or None."""
        if message.get("op") != "init":
            return f"expected init, got {message.get('op')!r}"
        if message.get("language") != "python":
            return f"a Python interpreter cannot run {message.get('language')!r}"
        env, limit, cwd = message.get("env") or {}, message.get("maxOutputBytes"), message.get("cwd")
        if not all(isinstance(value, str) for value in env.values()):
            return "env values must be strings"
        if not isinstance(limit, int) or limit <= 0:
            return f"maxOutputBytes must be a positive integer, got {limit!r}"
        if message.get("nice"):
            os.nice(message["nice"])  # this thread, and what it starts: user code yields the CPU to the node
        user = message.get("user")
        if user:
            confinement.become(user["uid"], user["gid"])
        try:
            # Created here, as the sandbox's user, so a path the user controls is never followed as root.
            os.makedirs(cwd, exist_ok=True)
            os.chdir(cwd)
        except (OSError, TypeError) as e:
            return f"cannot use {cwd!r} as working directory: {getattr(e, 'strerror', None) or e}"
        os.environ.clear()
        os.environ.update(env)
        self._capture.set_limit(limit)
        return None

    def _exec(self, message):
        cell_id = message["id"]
        self._cell_id = cell_id
        self._capture.begin(cell_id)
        try:
            with _EnvOverrides(message.get("env")):
                self._run_cell(message.get("code", ""), cell_id)
        except Exception as e:
            # A bug of the runtime, not of the cell: say so to the user and the log, keep the context alive.
            runtime_log.log_exception(f"runtime failure in cell {cell_id}")
            self._send({"ev": "error", "id": cell_id, "name": "InternalError",
                        "value": f"codeshard runtime failure: {e!r}", "traceback": []})
        self._capture.end()
        self._cell_id = None
        self._send({"ev": "done", "id": cell_id})

    def _run_cell(self, code, cell_id):
        error = self._runner.run(code, cell_id)
        if os.getpid() != self._pid:
            _end_forked_copy(error)
        if limit_hints.is_process_limit(error):
            # A fork bomb: its copies would go on forking as slots free up. They die, the context stays.
            confinement.kill_own_group()
        if error is not None:
            self._send_error(cell_id, error)
        try:
            with interrupts.UserCode():
                self._display.flush_figures()
        except BaseException as late:
            if error is None:  # at most one error per cell: an interrupt during the flush counts only if first
                self._send_error(cell_id, late)

    def _send_error(self, cell_id, exc):
        self._capture.sync()
        self._send({"ev": "error", "id": cell_id, **tracebacks.error_fields(exc)})

    def _publish(self, bundle, main):
        """Sends a result of the running cell after all output written before it (output first, in order)."""
        if self._cell_id is None or os.getpid() != self._pid:
            return  # a background thread between cells, or a forked copy: nobody to attribute it to
        with interrupts.Shield():
            self._capture.sync()
            self._send({"ev": "result", "id": self._cell_id, "main": main, "bundle": bundle})

    def _send(self, message):
        try:
            self._channel.send(message)
        except frames.FrameTooLarge as e:
            self._channel.send(_shrunk(message, str(e)))


def _end_forked_copy(error):
    """A cell called os.fork() and the copy ran to the end of the cell: it must not go on to speak on the
    channel (its frames would interleave with ours), so it ends here, as a script would."""
    if error is not None:
        tracebacks.print_to_stderr(error)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0 if error is None else 1)


def _shrunk(message, reason):
    """A stand-in for a message too big for one frame, so the cell still ends in a well-formed way."""
    notice = f"[codeshard] {message['ev']} dropped: {reason}"
    if message["ev"] == "result":
        return {**message, "bundle": {"text": notice}}
    lines = [line[:1000] for line in message["traceback"][-200:]]
    return {**message, "value": message["value"][:10_000], "traceback": lines + [notice]}
