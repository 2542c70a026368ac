"""Fork + exec of a Node interpreter (runtime/node/runtime.mjs).

The child gets its own session and exactly five fds: 0 = /dev/null, 1/2 = write ends of a stdout and a
stderr pipe, 3/4 = the read ends of those same pipes. The Node runtime reads its own output from 3/4, so
output of its subprocesses is captured at fd level like in Python. Everything else is closed.
"""

import fcntl
import os
import signal

import confinement


class SpawnError(Exception):
    pass


def _exec_child(node, argv, env, fds, report_fd, isolation):
    """In the forked child: never returns."""
    try:
        os.setsid()
        confinement.prepare(isolation)
        # Ignored signals stay ignored across exec; the zygote ignores SIGINT and Python ignores SIGPIPE.
        # SIGXFSZ stays ignored: a write past the file size limit fails with EFBIG instead of killing the context.
        for sig in (signal.SIGINT, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        # Lift every fd above the target range first, so no dup2 overwrites a source still to be placed.
        report_fd = fcntl.fcntl(report_fd, fcntl.F_DUPFD_CLOEXEC, 5)
        lifted = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5) for fd in fds]
        for target, fd in enumerate(lifted):
            os.dup2(fd, target)
        os.closerange(5, report_fd)
        os.closerange(report_fd + 1, os.sysconf("SC_OPEN_MAX"))
        os.execve(node, argv, env)
    except BaseException as e:
        try:
            os.write(report_fd, f"cannot start {node}: {e}".encode(errors="replace"))
        finally:
            os._exit(127)


def spawn(node, script, socket_path, token, isolation):
    """Starts the Node runtime; returns its pid once execve has succeeded, raises SpawnError otherwise."""
    argv = [node, script, "--socket", socket_path, "--token", token]
    # NODE_EXTRA_CA_CERTS triples node's start time, and interpreters make no TLS calls of the node's own.
    env = {key: value for key, value in os.environ.items() if key != "NODE_EXTRA_CA_CERTS"}
    null = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    report_read, report_write = os.pipe()  # close-on-exec: EOF without a message means execve succeeded
    pid = os.fork()
    if pid == 0:
        _exec_child(node, argv, env, (null, out_write, err_write, out_read, err_read), report_write, isolation)
    for fd in (null, out_read, out_write, err_read, err_write, report_write):
        os.close(fd)
    with os.fdopen(report_read, "rb") as report:
        failure = report.read()
    if failure:
        os.waitpid(pid, 0)
        raise SpawnError(failure.decode(errors="replace"))
    return pid
