"""Zygote of the interpreter processes: imports the heavy libraries once, then forks children on request.

Started by the JVM as `/usr/bin/python3 -u zygote.py --socket PATH --runtime-dir DIR [--node PATH]`; frames
on stdin/stdout (docs/runtime-protocol.md). A forked Python child is ready in milliseconds with numpy,
pandas, matplotlib and IPython's formatters already loaded, sharing their memory copy-on-write. The zygote
stays single-threaded, so fork() is safe.
"""

import os

# Before numpy loads: BLAS/OpenMP thread pools would make fork() unsafe and be duplicated in every child.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_MAX_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ["MPLBACKEND"] = "Agg"

import argparse
import contextlib
import gc
import json
import platform
import resource
import select
import shutil
import signal

import child
import confinement
import frames
import node_launch
import rich_display
import runtime_log


def _exit_status(status):
    """The `code`/`signal` pair of an `exited` event."""
    if os.WIFSIGNALED(status):
        return {"code": None, "signal": os.WTERMSIG(status)}
    return {"code": os.WEXITSTATUS(status), "signal": None}


class Zygote:
    def __init__(self, socket_path, runtime_dir, node, isolation):
        self._socket_path = socket_path
        self._isolation = isolation
        # Mount namespace (a held fd) of each child claimed for a sandbox: whatever is left in it dies with the child.
        self._namespaces = {}
        self._home_namespace = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
        self._runtime_dir = os.path.abspath(runtime_dir)
        self._node_script = os.path.join(self._runtime_dir, "node", "runtime.mjs")
        self._node = node
        self._node_path = shutil.which(node)
        self._children = set()
        # SIGCHLD wakes the select loop through this pipe (signal.set_wakeup_fd), no handler logic needed.
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)

    def serve(self):
        """Runs until the JVM closes stdin; every child's process group dies with the zygote, however it ends."""
        try:
            self._serve()
        finally:
            for pid in self._children:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            for namespace in self._namespaces.values():
                confinement.kill_namespace(namespace)

    def _serve(self):
        signal.set_wakeup_fd(self._wake_write)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        threads = len(os.listdir("/proc/self/task"))
        if threads != 1:
            runtime_log.log(f"zygote runs {threads} threads: forking is unsafe (are BLAS/OpenMP pools capped?)")
        self._send({"ev": "ready", "pid": os.getpid(), "python": platform.python_version()})
        reader = frames.FrameReader()
        while True:
            readable, _, _ = select.select([0, self._wake_read], [], [])
            if self._wake_read in readable:
                with contextlib.suppress(BlockingIOError):
                    while os.read(self._wake_read, 512):
                        pass
                self._reap()
            if 0 in readable:
                data = os.read(0, 1 << 16)
                if not data:
                    return
                for message in reader.feed(data):
                    self._handle(message)

    def _handle(self, message):
        op = message.get("op")
        try:
            if op == "spawn":
                self._spawn(message["token"], message["runtime"])
            elif op == "signal":
                self._signal(message["pid"], message["sig"])
            elif op == "confine":
                self._confine(message["pid"], message["root"], message["hidden"])
            else:
                runtime_log.log(f"zygote ignores unknown op {op!r}")
        except (KeyError, TypeError, ValueError) as e:
            runtime_log.log(f"zygote ignores malformed {op!r} frame: {e!r}")

    def _spawn(self, token, runtime):
        try:
            if runtime == "python":
                pid = self._fork_python(token)
            elif runtime == "node":
                pid = self._spawn_node(token)
            else:
                raise node_launch.SpawnError(f"unknown runtime {runtime!r}")
        except (OSError, node_launch.SpawnError) as e:
            self._send({"ev": "spawn_failed", "token": token, "message": str(e)})
            return
        self._children.add(pid)
        self._send({"ev": "spawned", "token": token, "pid": pid})

    def _fork_python(self, token):
        pid = os.fork()
        if pid == 0:
            inherited = (self._wake_read, self._wake_write, self._home_namespace, *self._namespaces.values())
            child.run(self._socket_path, token, inherited, self._isolation)
        return pid

    def _spawn_node(self, token):
        if self._node_path is None:
            raise node_launch.SpawnError(f"node executable {self._node!r} not found")
        if not os.path.isfile(self._node_script):
            raise node_launch.SpawnError(f"node runtime {self._node_script} is missing")
        return node_launch.spawn(self._node_path, self._node_script, self._socket_path, token, self._isolation)

    def _signal(self, pid, sig):
        if pid not in self._children:
            return  # already reaped: the JVM kills on close whether or not the process is still there
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)

    def _confine(self, pid, root, hidden):
        """Gives a pooled child the filesystem view of the sandbox it was just claimed for."""
        try:
            if not self._isolation.get("namespaces"):
                raise ValueError("this zygote forks without namespaces")
            if pid not in self._children or pid in self._namespaces:
                raise ValueError(f"process {pid} is not an unclaimed child")
            with confinement.entered(pid, self._home_namespace):
                confinement.build_view(root, hidden, self._isolation["tmpBytes"], [self._runtime_dir])
            self._namespaces[pid] = confinement.hold_namespace(pid)
        except (OSError, ValueError) as e:
            self._send({"ev": "confine_failed", "pid": pid, "message": str(e)})
            return
        self._send({"ev": "confined", "pid": pid})

    def _reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._children.discard(pid)
            # Whatever the interpreter left running in its process group ends with it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            namespace = self._namespaces.pop(pid, None)
            if namespace is not None:
                confinement.kill_namespace(namespace)
            self._send({"ev": "exited", "pid": pid, **_exit_status(status)})

    @staticmethod
    def _send(message):
        data = frames.encode(message)
        while data:
            data = data[os.write(1, data):]


def main():
    parser = argparse.ArgumentParser(description="codeshard interpreter zygote")
    parser.add_argument("--socket", required=True, help="Unix socket the JVM listens on for children")
    parser.add_argument("--runtime-dir", required=True, help="directory holding python/ and node/")
    parser.add_argument("--node", default="node", help="node executable (looked up on PATH)")
    parser.add_argument("--isolation", default="{}", type=json.loads,
                        help="JSON: namespaces, network, rlimits, tmpBytes (docs/isolation.md)")
    args = parser.parse_args()
    # The JVM decides when the zygote ends (stdin EOF), not a Ctrl-C sent to its process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One fd per confined child is held (its namespace): allow as many as the node may have.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    rich_display.warm_up()
    zygote = Zygote(args.socket, args.runtime_dir, args.node, args.isolation)
    # Children must not dirty the inherited heap: a GC pass over it would copy ~20 MiB into each one.
    gc.collect()
    gc.freeze()
    zygote.serve()


if __name__ == "__main__":
    main()
