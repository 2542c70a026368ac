"""Confinement of interpreter processes: namespaces, filesystem view, resource limits, sandbox user.

Two steps, so the warm pools stay warm (docs/isolation.md):

* `prepare(policy)` runs in every freshly forked child before it does anything else (a Python child before
  it connects, a Node child before its execve): sandbox-independent work only — its own mount namespace,
  its own network namespace with just a loopback when egress is off, the resource limits, no new
  privileges.
* `build_view(root, hidden, tmp_bytes)` runs in the child's mount namespace when the child is claimed for a
  sandbox (the zygote enters that namespace with `entered(pid, ...)`): the node's directories in `hidden` and
  the shared temporary directories are covered by tmpfs, the sandbox's root directory is bound back at
  its own path, /proc only shows the sandbox user's processes, and the root filesystem becomes read-only.
  The child itself then calls `become(uid, gid)` before it runs any user code.

The namespace steps need root (CAP_SYS_ADMIN); `policy["namespaces"]` is false otherwise.
"""

import contextlib
import ctypes
import fcntl
import os
import resource
import socket
import struct

_libc = ctypes.CDLL(None, use_errno=True)

_CLONE_NEWNS = 0x00020000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000

_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38
_SIOCSIFFLAGS = 0x8914
_IFF_UP, _IFF_LOOPBACK, _IFF_RUNNING = 0x1, 0x8, 0x40

# World-writable places a sandbox could use to pass files to another one: each context gets its own.
_SHARED_TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")

RLIMITS = {
    "memory": resource.RLIMIT_DATA,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
    "file_size": resource.RLIMIT_FSIZE,
}


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    def encode(value):
        return value.encode() if value is not None else None
    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def prepare(policy):
    """The sandbox-independent part, in a child just forked from the zygote."""
    if policy.get("namespaces"):
        network = policy.get("network", True)
        _check(_libc.unshare(_CLONE_NEWNS | (0 if network else _CLONE_NEWNET)), "unshare")
        # Mounts made for this child must not propagate back to the node's namespace.
        _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
        if not network:
            _loopback_up()
    for name, value in (policy.get("rlimits") or {}).items():
        resource.setrlimit(RLIMITS[name], (value, value))
    # No program this process or its descendants exec gains privileges: setuid binaries (su, sudo, mount)
    # and file capabilities stop working. Root's own setuid() to the sandbox user is unaffected.
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")


def _loopback_up():
    """A new network namespace has only a loopback, down; user code may still talk to itself over it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH22x", b"lo", _IFF_UP | _IFF_LOOPBACK | _IFF_RUNNING)
        fcntl.ioctl(probe, _SIOCSIFFLAGS, request)


@contextlib.contextmanager
def entered(pid, home_namespace):
    """Runs the body in the mount namespace of process `pid`, then returns to `home_namespace` (an fd of
    the caller's own /proc/self/ns/mnt). The caller must be single-threaded (the zygote is)."""
    target = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    if os.fstat(target).st_ino == os.fstat(home_namespace).st_ino:
        # Building the view here would cover the node's own /tmp, /proc and data directory.
        os.close(target)
        raise OSError(f"process {pid} has no mount namespace of its own")
    cwd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _check(_libc.setns(target, _CLONE_NEWNS), "setns")
        try:
            yield
        finally:
            _check(_libc.setns(home_namespace, _CLONE_NEWNS), "setns back")
            os.fchdir(cwd)
    finally:
        os.close(target)
        os.close(cwd)


def build_view(root, hidden, tmp_bytes, runtime=()):
    """What a sandbox's processes see, built in the current mount namespace (see the module's doc).

    `runtime` are directories the interpreters load code from later (the runtime scripts and their node_modules):
    when one lies under a covered directory (a checkout under /tmp, say), it is bound back, read-only.
    """
    keep = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    kept_runtime = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)) for path in runtime if os.path.isdir(path)]
    try:
        # Shortest first: a directory inside one already covered no longer exists and is skipped.
        for path in sorted(set(hidden) | set(_SHARED_TEMP_DIRS), key=len):
            if os.path.isdir(path) and not os.path.islink(path):
                shared_temp = path in _SHARED_TEMP_DIRS
                options = f"mode=1777,size={tmp_bytes}" if shared_temp else "mode=0755,size=1m"
                _mount("tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV, options)
        os.makedirs(root, exist_ok=True)
        # The directory kept open before it was covered is bound back at its own path.
        _mount(f"/proc/self/fd/{keep}", root, None, _MS_BIND | _MS_REC)
        for path, fd in kept_runtime:
            if not os.path.isdir(path):  # covered: bind it back, read-only
                os.makedirs(path, exist_ok=True)
                _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
                _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY)
    finally:
        os.close(keep)
        for _, fd in kept_runtime:
            os.close(fd)
    _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "hidepid=invisible")
    _mount(None, "/", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY)


def hold_namespace(pid):
    """An fd of the process's mount namespace, which every process the context starts shares. Holding it keeps
    the namespace (and its inode number) from being reused by another child until `kill_namespace`."""
    return os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)


def kill_namespace(held):
    """SIGKILLs every process left in a context's mount namespace, then lets go of it: background children
    that left the context's process group (setsid, daemons) do not outlive the context."""
    namespace = os.fstat(held).st_ino
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{entry}/ns/mnt").st_ino == namespace:
                    os.kill(int(entry), 9)
    os.close(held)


def kill_own_group():
    """SIGKILLs every other process of the caller's process group, until none is left (they may be forking)."""
    me, group = os.getpid(), os.getpgrp()
    for _ in range(50):
        found = False
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != me:
                with contextlib.suppress(OSError):
                    if os.getpgid(int(entry)) == group:
                        os.kill(int(entry), 9)
                        found = True
        if not found:
            return


def become(uid, gid):
    """Drops root for the sandbox's own user; irreversible, done before any user code runs."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    # Changing uid made the process non-dumpable: its /proc entry would belong to root and be hidden from the
    # sandbox's own processes (ps, the fork-bomb clean-up). Nothing outside the sandbox gains from this.
    _check(_libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl")
