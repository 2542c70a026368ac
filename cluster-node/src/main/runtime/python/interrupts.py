"""SIGINT in a Python child: it interrupts user code, is ignored between cells, and never tears a frame.

The JVM interrupts a cell by sending SIGINT to the child's process group. Python runs signal handlers in
the main thread between bytecodes, so a plain KeyboardInterrupt could land anywhere: half-way through a
frame written to the socket (corrupting the channel) or in the runtime's own bookkeeping. Here it is raised
only while user code runs, and is postponed across the runtime's critical sections inside user code
(a display() call sending its result).
"""

import signal
import threading


class _Gate:
    user_code = False  # the main thread is running a cell's code (or formatting its objects)
    shielded = 0  # depth of critical sections entered by the main thread
    postponed = False  # a SIGINT arrived inside a critical section


_gate = _Gate()


def _on_sigint(signum, frame):
    if not _gate.user_code:
        return
    if _gate.shielded:
        _gate.postponed = True
        return
    raise KeyboardInterrupt


def install():
    signal.signal(signal.SIGINT, _on_sigint)


class UserCode:
    """Marks the main thread as running user code: SIGINT raises KeyboardInterrupt.

    Any KeyboardInterrupt it lets through must be caught by the caller as the cell's error.
    """

    def __enter__(self):
        _gate.postponed = False
        _gate.user_code = True

    def __exit__(self, *exc_info):
        _gate.user_code = False


class Shield:
    """A critical section of the runtime: a SIGINT arriving inside is raised when it ends (if still in user code)."""

    def __enter__(self):
        self._main = threading.current_thread() is threading.main_thread()
        if self._main:
            _gate.shielded += 1

    def __exit__(self, exc_type, exc, tb):
        if not self._main:
            return
        _gate.shielded -= 1
        if not _gate.shielded and _gate.postponed and _gate.user_code and exc_type is None:
            _gate.postponed = False
            raise KeyboardInterrupt
