"""fd-level capture of a child's stdout and stderr.

fds 1 and 2 are pipes read by a thread of the child itself, so output of print(), subprocesses, os.system
and C extensions all reaches the JVM as stdout/stderr frames as soon as it is written.

Attribution to cells: sync() returns once every byte written to fds 1/2 before the call has been
forwarded. It needs no marker round trip: with the reader paused (it reads and forwards under the lock
sync takes), the bytes written so far are exactly those already consumed plus those still in the pipe
(FIONREAD), so sync waits until the consumed count reaches that target, usually at once.

Output that arrives between cells (a background process) is held and delivered as the first output of
the next cell, counted against that cell's maxOutputBytes.
"""

import codecs
import fcntl
import io
import os
import select
import sys
import termios
import threading

import runtime_log

_CHUNK = 1 << 16


def _unread_bytes(fd):
    return int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, bytes(4)), sys.byteorder)


def _same_file(fd, other):
    try:
        a, b = os.fstat(fd), os.fstat(other)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _line_buffered(fd):
    """A text stream on fd: line buffering makes print("hello") one write of "hello\\n"."""
    return io.open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)


class _Stream:
    def __init__(self, name):
        self.name = name
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.consumed = 0  # bytes read from the pipe so far, forwarded or dropped


class OutputCapture:
    def __init__(self):
        self._streams = {}
        self._write_ends = {}  # private copies, so fds 1/2 can be put back when a cell closed them
        for target, name in ((1, "stdout"), (2, "stderr")):
            read_fd, write_fd = os.pipe()
            os.dup2(write_fd, target)
            self._write_ends[target] = write_fd
            self._streams[read_fd] = _Stream(name)
        # The zygote's sys.stdout/sys.stderr close fds 1/2 when collected: keep them alive, they now
        # hold our pipes.
        self._zygote_stdio = (sys.stdout, sys.stderr)
        sys.stdout = sys.__stdout__ = _line_buffered(1)
        sys.stderr = sys.__stderr__ = _line_buffered(2)
        # Guards everything below and the streams' counters; the reader holds it from read() to forward.
        self._lock = threading.Condition()
        self._send = None
        self._cell = None  # exec id output is attributed to; None between cells
        self._held = []  # (stream name, text) that arrived between cells
        self._limit = None
        self._used = 0  # bytes of the current (or next) cell, dropped ones included
        self._notified = False

    def start(self, send):
        """Starts forwarding with send(message); output written before is not lost, it waits in the pipes."""
        self._send = send
        threading.Thread(target=self._pump, name="codeshard-output", daemon=True).start()

    def set_limit(self, max_bytes):
        self._limit = max_bytes

    def begin(self, cell_id):
        with self._lock:
            self._cell = cell_id
            for name, text in self._held:
                self._send({"ev": name, "id": cell_id, "text": text})
            self._held.clear()

    def sync(self):
        """Returns once everything written to fds 1/2 so far has been forwarded (see module doc)."""
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except BaseException:
                pass  # a user-replaced stream that cannot flush has nothing of ours to lose
        with self._lock:
            targets = [(stream, stream.consumed + _unread_bytes(fd)) for fd, stream in self._streams.items()]
            while any(stream.consumed < target for stream, target in targets):
                self._lock.wait()

    def end(self):
        """Closes the current cell: all its output is forwarded and the next cell starts a fresh budget."""
        self._restore_stdio()
        self.sync()
        with self._lock:
            for stream in self._streams.values():
                self._emit(stream.name, stream.decoder.decode(b"", final=True))
            self._cell = None
            self._used = 0
            self._notified = False

    def _restore_stdio(self):
        """Puts fds 0/1/2 back if the cell closed or replaced them (os.close(1), a dup2 of its own)."""
        for target, write_fd in self._write_ends.items():
            if not _same_file(target, write_fd):
                os.dup2(write_fd, target)
        if getattr(sys.stdout, "closed", True):
            sys.stdout = sys.__stdout__ = _line_buffered(1)
        if getattr(sys.stderr, "closed", True):
            sys.stderr = sys.__stderr__ = _line_buffered(2)
        try:
            os.fstat(0)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY)
            if null != 0:
                os.dup2(null, 0)
                os.close(null)

    def _pump(self):
        try:
            poller = select.poll()
            for fd in self._streams:
                poller.register(fd, select.POLLIN)
            while True:
                for fd, _ in poller.poll():
                    with self._lock:
                        data = os.read(fd, _CHUNK)
                        if not data:
                            poller.unregister(fd)  # every write end closed: the user closed fd 1 or 2
                            continue
                        stream = self._streams[fd]
                        self._accept(stream, data)
                        stream.consumed += len(data)
                        self._lock.notify_all()
        except BaseException:
            # Without this thread the pipes fill up and the cell hangs: better to die loudly.
            runtime_log.log_exception("output reader failed; exiting")
            os._exit(70)

    def _accept(self, stream, data):
        room = len(data) if self._limit is None else self._limit - self._used
        self._used += len(data)
        if room >= len(data):
            self._emit(stream.name, stream.decoder.decode(data))
            return
        if room > 0:
            self._emit(stream.name, stream.decoder.decode(data[:room]))
        if not self._notified:
            self._notified = True
            self._emit("stderr", f"\n[codeshard] output limit of {self._limit} bytes reached; "
                                 "further output of this execution was dropped\n")

    def _emit(self, name, text):
        if not text:
            return
        if self._cell is None:
            self._held.append((name, text))
        else:
            self._send({"ev": name, "id": self._cell, "text": text})
