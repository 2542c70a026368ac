"""Names the codeshard limit behind an error, so a user who hits one is told which and how large it is.

The limits are resource limits of the process (docs/isolation.md); the error a cell sees is the plain one
(MemoryError, "Too many open files", ...), to which this adds one sentence.
"""

import errno
import resource

_MIB = 1 << 20


def _limit(which):
    soft, _ = resource.getrlimit(which)
    return None if soft == resource.RLIM_INFINITY else soft


def hint(exc):
    """The sentence for exc, or None when it is not one of the limits' errors (or that limit is not set)."""
    if isinstance(exc, MemoryError):
        limit = _limit(resource.RLIMIT_DATA)
        return limit and f"each interpreter process may use {limit // _MIB} MiB (codeshard.sandbox.memory-mib)"
    if not isinstance(exc, OSError):
        return None
    if exc.errno == errno.EAGAIN and isinstance(exc, BlockingIOError):
        limit = _limit(resource.RLIMIT_NPROC)
        return limit and (f"if a process or thread was being started: a sandbox may run {limit} processes and"
                          " threads (codeshard.sandbox.max-processes)")
    if exc.errno == errno.EMFILE:
        limit = _limit(resource.RLIMIT_NOFILE)
        return limit and f"a process may have {limit} files open (codeshard.sandbox.max-open-files)"
    if exc.errno == errno.EFBIG:
        limit = _limit(resource.RLIMIT_FSIZE)
        return limit and f"a file may hold {limit // _MIB} MiB (codeshard.sandbox.max-file-mib)"
    return None
