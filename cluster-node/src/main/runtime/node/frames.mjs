// Frames of the child channel (docs/runtime-protocol.md): a 4-byte big-endian length, then that many
// bytes of UTF-8 JSON holding one object.

const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(message) {
  let body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > MAX_FRAME_BYTES) body = Buffer.from(JSON.stringify(shrink(message, body.length)), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

// Only results and errors carry unbounded user data (output comes in pipe-sized chunks). As the
// protocol says, a result too big for a frame is replaced by a notice, an error is truncated.
function shrink(message, size) {
  if (message.ev === 'result') {
    return { ...message, bundle: { text: `[codeshard] result dropped: its frame would have ${size} bytes` } };
  }
  const cut = (text) => (text.length > 10_000 ? `${text.slice(0, 10_000)}…` : text);
  return { ...message, value: cut(message.value), traceback: message.traceback.slice(0, 200).map(cut) };
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
