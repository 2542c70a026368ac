// The io thread: owns the socket to the JVM and the stdout/stderr pipes. It runs beside the main
// thread so output keeps flowing (and the pipes keep draining) while a cell blocks the main thread in
// synchronous code, a blocking pipe write or execSync.
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { encodeFrame, FrameDecoder } from './frames.mjs';
import { OutputForwarder } from './output.mjs';

const { socketPath, token, secret } = workerData;

// The JVM closed the channel (or broke the protocol): nothing is left to serve. The main thread may be
// stuck in user code and could not exit on its own; the zygote kills the rest of the process group.
const die = () => process.kill(process.pid, 'SIGKILL');

const socket = net.createConnection(socketPath);
const output = new OutputForwarder(secret, send);
const decoder = new FrameDecoder();

// After `init_failed` the main thread exits with code 1 once the frame is handed to the kernel; the
// JVM closing the socket meanwhile must not turn that into a SIGKILL.
let exiting = false;

function send(message) {
  if (message.ev !== 'init_failed') {
    socket.write(encodeFrame(message));
    return;
  }
  exiting = true;
  socket.write(encodeFrame(message), () => parentPort.postMessage({ exitCode: 1 }));
}

// `hello` (which makes the process claimable) waits for the main thread to have loaded every module it needs: a
// claimed process's view of the filesystem changes (docs/isolation.md), and a module still loading from the
// runtime directory at that moment could fail to load.
let connected = false;
let mainLoaded = false;
function helloWhenReady() {
  if (connected && mainLoaded) send({ ev: 'hello', token, pid: process.pid, runtime: 'node' });
}
socket.on('connect', () => {
  connected = true;
  helloWhenReady();
});
socket.on('data', (chunk) => {
  let frames;
  try {
    frames = decoder.push(chunk);
  } catch {
    return die();
  }
  for (const frame of frames) {
    // Switching the cell here, as the exec frame arrives, attributes output as early as possible.
    if (frame.op === 'init') output.setLimit(frame.maxOutputBytes ?? Infinity);
    if (frame.op === 'exec') output.startCell(frame.id);
    parentPort.postMessage(frame);
  }
});
socket.on('close', () => exiting || die());
socket.on('error', () => exiting || die());

parentPort.on('message', (message) => {
  if (message.loaded) {
    mainLoaded = true;
    helloWhenReady();
    return;
  }
  output.sendAfter(message.barrier, message.frames);
});
