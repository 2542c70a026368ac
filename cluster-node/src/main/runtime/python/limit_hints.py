"""Names the codeshard limit behind an error, so a user who hits one is told which and how large it is.

The limits are resource limits of the process (docs/isolation.md); the error a cell sees is the plain one
(MemoryError, "Too many open files", ...), to which this adds one sentence.
"""

import errno
import os
import resource
import traceback

_STARTS_PROCESSES = ("fork", "spawn", "Popen", "subprocess", "multiprocessing", "system(")

_MIB = 1 << 20


def _limit(which):
    soft, _ = resource.getrlimit(which)
    return None if soft == resource.RLIM_INFINITY else soft


def is_process_limit(exc):
    """Whether exc is EAGAIN from starting a process under a process limit, not, say, from a non-blocking
    socket with nothing to read: it was raised by a line that forks or spawns, or the sandbox's user runs at
    least half the tasks its limit allows."""
    limit = _limit(resource.RLIMIT_NPROC)
    if limit is None or not isinstance(exc, BlockingIOError) or exc.errno != errno.EAGAIN:
        return False
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and any(word in (frames[-1].line or "") + frames[-1].filename for word in _STARTS_PROCESSES):
        return True
    return _tasks_of_my_user() >= limit // 2


def _tasks_of_my_user():
    uid, tasks = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    tasks += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                pass  # ended meanwhile
    return tasks


def hint(exc):
    """The sentence for exc, or None when it is not one of the limits' errors (or that limit is not set)."""
    if isinstance(exc, MemoryError):
        limit = _limit(resource.RLIMIT_DATA)
        return limit and f"each interpreter process may use {limit // _MIB} MiB (codeshard.sandbox.memory-mib)"
    if not isinstance(exc, OSError):
        return None
    if is_process_limit(exc):
        return (f"if a process or thread was being started: a sandbox may run {_limit(resource.RLIMIT_NPROC)}"
                " processes and threads (codeshard.sandbox.max-processes); the other processes this context"
                " started were killed")
    if exc.errno == errno.EMFILE:
        limit = _limit(resource.RLIMIT_NOFILE)
        return limit and f"a process may have {limit} files open (codeshard.sandbox.max-open-files)"
    if exc.errno == errno.EFBIG:
        limit = _limit(resource.RLIMIT_FSIZE)
        return limit and f"a file may hold {limit // _MIB} MiB (codeshard.sandbox.max-file-mib)"
    return None
