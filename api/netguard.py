"""No network for query workers: a seccomp filter that makes socket(AF_INET | AF_INET6) fail with EACCES.

The guard (api/sparql_check.py) refuses SERVICE calls by reading the query text; this is the second
line, for whatever a reading might miss: Oxigraph's HTTP client is Rust code that Python cannot wrap,
so the refusal sits in the kernel, installed in the worker process before it reads any job and inherited
by every thread it starts. Unix sockets and pipes (the job pipe) still work. Both seccomp and an
unprivileged network namespace (unshare(CLONE_NEWUSER | CLONE_NEWNET)) work on this machine; seccomp is
used because it needs no user namespaces (often switched off on servers and in containers) and leaves the
process its uid. It sets no_new_privs, which also bars the worker from gaining privileges through exec.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct

# (seccomp syscall number, socket syscall number, AUDIT_ARCH_*) per machine
_ARCH = {
    "x86_64": (317, 41, 0xC000003E),
    "aarch64": (277, 198, 0xC00000B7),
}
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_X32_BIT = 0x40000000


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _program(socket_nr: int, arch: int) -> bytes:
    """The BPF program: foreign ABIs and x32 calls refused; socket() refused for AF_INET and AF_INET6."""
    deny = _RET_ERRNO | errno.EACCES
    insns = [
        (_LD_W_ABS, 0, 0, 4),  # 0: seccomp_data.arch
        (_JEQ, 1, 0, arch),  # 1: native ABI → 3
        (_RET, 0, 0, _RET_ERRNO | errno.EPERM),  # 2
        (_LD_W_ABS, 0, 0, 0),  # 3: seccomp_data.nr
        (_JGE, 5, 0, _X32_BIT),  # 4: x32 numbers → 10
        (_JEQ, 0, 3, socket_nr),  # 5: socket() → 6, else → 9
        (_LD_W_ABS, 0, 0, 16),  # 6: args[0], the address family (low 32 bits, little-endian)
        (_JEQ, 2, 0, socket.AF_INET),  # 7 → 10
        (_JEQ, 1, 0, socket.AF_INET6),  # 8 → 10
        (_RET, 0, 0, _RET_ALLOW),  # 9
        (_RET, 0, 0, deny),  # 10
    ]
    return b"".join(struct.pack("=HBBI", *i) for i in insns)


def deny_network() -> None:
    """Install the filter in this process (all its threads); raise OSError when the kernel refuses."""
    machine = platform.machine()
    if machine not in _ARCH:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {machine}")
    seccomp_nr, socket_nr, arch = _ARCH[machine]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    code = ctypes.create_string_buffer(_program(socket_nr, arch))
    prog = _Filter(len(code.raw) // 8, ctypes.cast(code, ctypes.c_void_p))
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(
        ctypes.c_long(seccomp_nr),
        ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
        ctypes.c_long(_SECCOMP_FILTER_FLAG_TSYNC),
        ctypes.byref(prog),
    )
    if rc != 0:
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER) failed")
