// Node interpreter process of codeshard: `node runtime.mjs --socket PATH --token HEX`, started by the
// zygote with fd 0 = /dev/null, fd 1/2 = stdout/stderr pipes, fd 3/4 = their read ends
// (docs/runtime-protocol.md). The io thread (io.mjs) talks to the JVM and forwards output; this, the
// main thread, runs the cells one at a time in the process's global scope.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const { values: args } = parseArgs({ options: { socket: { type: 'string' }, token: { type: 'string' } } });
const secret = randomBytes(8).toString('hex');

// Started before the cell machinery is even loaded: its boot is the longest step to `hello`.
const io = new Worker(new URL('./io.mjs', import.meta.url), {
  workerData: { socketPath: args.socket, token: args.token, secret },
});
io.on('error', () => process.exit(70));
io.on('exit', () => process.exit(70));

// Frames arriving while the modules below load wait in the queue; cells run strictly one at a time.
let loaded;
let queue = new Promise((resolve) => {
  loaded = resolve;
});
io.on('message', (message) => {
  if ('exitCode' in message) process.exit(message.exitCode);
  queue = queue.then(() => handle(message));
});

const { barrierWriter, makeStdioBlocking } = await import('./output.mjs');
const { initContext } = await import('./context.mjs');
const { executeCell, interruptCell, warmUpDynamicImport } = await import('./execute.mjs');
const { uncaughtText } = await import('./errors.mjs');

makeStdioBlocking();
warmUpDynamicImport();
// Pooled processes do not know their language yet: loading the TypeScript transpiler before `hello` (~25 ms,
// ~5 MiB) keeps it out of the creation of a TypeScript context.
const { loadTypeScript } = await import('./typescript.mjs');
await loadTypeScript();
const writeBarrier = barrierWriter(secret);

// Frames go out through the io thread once all output written before them has (see output.mjs).
const reply = (frames) => io.postMessage({ barrier: writeBarrier(), frames });

let context = null;

async function handle(frame) {
  if (frame.op === 'init') {
    try {
      context = await initContext(frame);
      reply([{ ev: 'ready' }]);
    } catch (error) {
      reply([{ ev: 'init_failed', message: String(error?.message ?? error) }]);
    }
  } else if (frame.op === 'exec') {
    let frames;
    try {
      if (!context) throw new Error('exec before init');
      frames = await executeCell(frame, context);
    } catch (error) {
      // A bug of the runtime, not of the cell: say so, and keep the context usable.
      frames = [
        {
          ev: 'error',
          id: frame.id,
          name: 'InternalError',
          value: `codeshard runtime failure: ${error?.message ?? error}`,
          traceback: String(error?.stack ?? error).split('\n'),
        },
      ];
    }
    reply([...frames, { ev: 'done', id: frame.id }]);
  }
}

// SIGINT between cells is ignored (the listener also keeps Node from exiting on it).
process.on('SIGINT', interruptCell);
// A timer or promise of a finished cell failing must not end the context: report it on stderr.
const reportUncaught = (error) => fs.writeSync(2, uncaughtText(error));
process.on('uncaughtException', reportUncaught);
process.on('unhandledRejection', reportUncaught);

loaded();
io.postMessage({ loaded: true });
