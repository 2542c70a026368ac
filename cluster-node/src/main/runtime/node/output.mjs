// fd-level output capture. fd 1 and fd 2 are pipes whose read ends the zygote handed us as fd 3 and
// fd 4, so console output, process.stdout writes and inherited-stdio child processes all land there.
// The io thread (io.mjs) drains them; the main thread marks cell boundaries with barriers.
import fs from 'node:fs';
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';

// A barrier is a marker written to both pipes: `NUL codeshard:<secret>:<seq as 8 hex digits> NUL`.
// The per-process random secret keeps user output from forging one.
const markerPrefix = (secret) => Buffer.from(`\0codeshard:${secret}:`, 'latin1');
const SEQ_DIGITS = 8;

// Main thread. Node makes pipe fds non-blocking and queues writes to a full pipe in memory, and that
// flag is shared with child processes inheriting fd 1/2 (they then fail with EAGAIN). Blocking writes
// give back-pressure instead; the io thread keeps draining, so a writer never waits for long.
export function makeStdioBlocking() {
  for (const stream of [process.stdout, process.stderr]) stream._handle?.setBlocking?.(true);
}

// Main thread. Returns a function writing the next barrier to fd 1 and fd 2; it returns the barrier's
// sequence number, or null when a pipe is not writable (user code closed it) and nothing can be awaited.
export function barrierWriter(secret) {
  const prefix = markerPrefix(secret).toString('latin1');
  let seq = 0;
  return () => {
    seq += 1;
    const marker = `${prefix}${seq.toString(16).padStart(SEQ_DIGITS, '0')}\0`;
    try {
      fs.writeSync(1, marker);
      fs.writeSync(2, marker);
      return seq;
    } catch {
      return null;
    }
  };
}

// io thread. Forwards pipe bytes as stdout/stderr frames of the current cell, enforces the per-cell
// byte cap, and holds frames of the main thread back until every byte written before their barrier
// has been forwarded. Bytes written while no cell runs (timers, background processes) are held and
// sent with the next cell, counting against its cap.
export class OutputForwarder {
  #prefix;
  #markerLength;
  #send;
  #pipes;
  #waiting = [];
  #id = null;
  #limit = Infinity;
  #used = 0;
  #noticed = false;
  #held = [];
  #heldBytes = 0;

  constructor(secret, send) {
    this.#prefix = markerPrefix(secret);
    this.#markerLength = this.#prefix.length + SEQ_DIGITS + 1;
    this.#send = send;
    this.#pipes = [this.#open(3, 'stdout'), this.#open(4, 'stderr')];
  }

  setLimit(maxOutputBytes) {
    this.#limit = maxOutputBytes;
  }

  // Bytes read from now on, and those held since the last cell, belong to cell `id`.
  startCell(id) {
    this.#id = id;
    this.#used = 0;
    this.#noticed = false;
    for (const pipe of this.#pipes) pipe.decoder = new StringDecoder('utf8');
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const { pipe, bytes } of held) this.#forward(pipe, bytes);
  }

  // Sends `frames` once both pipes passed barrier `seq` (at once for null, keeping the order).
  sendAfter(seq, frames) {
    this.#waiting.push({ seq, frames });
    this.#flush();
  }

  #open(fd, name) {
    const pipe = { name, seen: 0, carry: Buffer.alloc(0), decoder: new StringDecoder('utf8') };
    new net.Socket({ fd, readable: true, writable: false }).on('data', (chunk) => this.#onData(pipe, chunk));
    return pipe;
  }

  #onData(pipe, chunk) {
    let data = pipe.carry.length ? Buffer.concat([pipe.carry, chunk]) : chunk;
    let at;
    while ((at = data.indexOf(this.#prefix)) >= 0 && data.length >= at + this.#markerLength) {
      this.#forward(pipe, data.subarray(0, at));
      pipe.seen = Number.parseInt(data.toString('latin1', at + this.#prefix.length, at + this.#markerLength - 1), 16);
      data = data.subarray(at + this.#markerLength);
      this.#flush();
    }
    const keep = at >= 0 ? at : this.#partialMarkerStart(data);
    this.#forward(pipe, data.subarray(0, keep));
    pipe.carry = Buffer.from(data.subarray(keep));
  }

  // A read may end inside a marker; keep such a tail for the next chunk (it starts with NUL, so this
  // almost never holds back real output).
  #partialMarkerStart(data) {
    for (let i = Math.max(0, data.length - this.#prefix.length + 1); i < data.length; i++) {
      if (data[i] === 0 && this.#prefix.subarray(0, data.length - i).equals(data.subarray(i))) return i;
    }
    return data.length;
  }

  #forward(pipe, bytes) {
    if (bytes.length === 0) return;
    if (this.#id === null) {
      this.#hold(pipe, bytes);
      return;
    }
    const room = this.#limit - this.#used;
    const kept = bytes.length > room ? bytes.subarray(0, Math.max(0, room)) : bytes;
    this.#used += kept.length;
    const text = kept.length ? pipe.decoder.write(kept) : '';
    if (text) this.#send({ ev: pipe.name, id: this.#id, text });
    if (kept.length < bytes.length && !this.#noticed) {
      this.#noticed = true;
      this.#send({
        ev: 'stderr',
        id: this.#id,
        text: `\n[codeshard] output limit of ${this.#limit} bytes reached; further output of this execution was dropped\n`,
      });
    }
  }

  // One byte past the cap is enough for the next cell to send the notice.
  #hold(pipe, bytes) {
    const room = this.#limit + 1 - this.#heldBytes;
    if (room <= 0) return;
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.#held.push({ pipe, bytes: Buffer.from(kept) });
    this.#heldBytes += kept.length;
  }

  #flush() {
    const seen = Math.min(...this.#pipes.map((pipe) => pipe.seen));
    while (this.#waiting.length && (this.#waiting[0].seq === null || this.#waiting[0].seq <= seen)) {
      for (const frame of this.#waiting.shift().frames) {
        this.#send(frame);
        if (frame.ev === 'done') this.#id = null;
      }
    }
  }
}
