"""The runtime's own diagnostics. They go to the JVM's log (the zygote's stderr), never to a user's output."""

import os
import traceback

_fd = 2


def keep_zygote_stderr():
    """Called by a child before fd 2 becomes the user's stderr pipe, so diagnostics still reach the JVM."""
    global _fd
    _fd = os.dup(2)


def log(message):
    try:
        os.write(_fd, f"[codeshard python {os.getpid()}] {message}\n".encode(errors="replace"))
    except OSError:
        pass


def log_exception(context):
    """Logs the exception being handled, with the runtime's frames: this is a bug report, not a user error."""
    log(f"{context}\n{traceback.format_exc().rstrip()}")
