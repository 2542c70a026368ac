"""Length-prefixed JSON frames: the one wire format of the zygote and child channels.

A frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON (docs/runtime-protocol.md).
"""

import json
import os
import struct
import threading

MAX_FRAME = 64 * 1024 * 1024
_HEADER = struct.Struct(">I")


class FrameTooLarge(ValueError):
    """The message would not fit in one frame; the caller decides what to send instead."""


class ProtocolError(Exception):
    """The peer sent something that is not a frame; the channel cannot be trusted any more."""


def encode(message):
    """One frame holding message, header included, ready for a single write."""
    try:
        body = json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        # A lone surrogate (user strings can hold them) has no UTF-8 form: escape it as \\udXXX instead.
        body = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    if len(body) > MAX_FRAME:
        raise FrameTooLarge(f"a frame of {len(body)} bytes exceeds the {MAX_FRAME} bytes limit")
    return _HEADER.pack(len(body)) + body


class FrameReader:
    """Cuts a byte stream into messages, whatever the chunk boundaries."""

    def __init__(self):
        self._buffer = bytearray()

    def feed(self, data):
        """Appends data and returns the messages it completed."""
        self._buffer += data
        messages = []
        while len(self._buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self._buffer)
            if length > MAX_FRAME:
                raise ProtocolError(f"frame of {length} bytes announced")
            end = _HEADER.size + length
            if len(self._buffer) < end:
                break
            try:
                messages.append(json.loads(self._buffer[_HEADER.size:end]))
            except ValueError as e:
                raise ProtocolError(f"unparsable frame: {e}") from None
            del self._buffer[:end]
        return messages


class Channel:
    """A child's socket to the JVM, shared by the main thread and the output reader thread.

    The socket is the child's lifeline: once the JVM end is gone there is nobody to work for, so a
    closed or broken socket ends the process on the spot (docs/runtime-protocol.md: nothing outlives
    the node). Callers therefore never see I/O errors.
    """

    def __init__(self, sock):
        self._sock = sock
        self._reader = FrameReader()
        self._pending = []
        self._write_lock = threading.Lock()

    def send(self, message):
        """Sends one message atomically with respect to other threads; FrameTooLarge if it cannot fit."""
        frame = encode(message)
        with self._write_lock:
            try:
                self._sock.sendall(frame)
            except OSError:
                os._exit(0)

    def receive(self):
        """The next message from the JVM, blocking."""
        while not self._pending:
            try:
                data = self._sock.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                os._exit(0)
            self._pending.extend(self._reader.feed(data))
        return self._pending.pop(0)
