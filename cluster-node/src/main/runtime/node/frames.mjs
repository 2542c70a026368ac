// Frames of the child channel (docs/runtime-protocol.md): a 4-byte big-endian length, then that many
// bytes of UTF-8 JSON holding one object.

const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

// Socket chunks split and join frames arbitrarily; the decoder keeps the unfinished tail.
export class FrameDecoder {
  #pending = Buffer.alloc(0);

  // Returns the complete frames in `chunk` (plus what was pending); throws on a protocol error.
  push(chunk) {
    let buffer = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const frames = [];
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes exceeds the limit`);
      if (buffer.length < 4 + length) break;
      frames.push(JSON.parse(buffer.toString('utf8', 4, 4 + length)));
      buffer = buffer.subarray(4 + length);
    }
    this.#pending = buffer;
    return frames;
  }
}
