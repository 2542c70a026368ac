// Thrown values -> the protocol's error triple {name, value, traceback}. Tracebacks keep the user's
// frames (cells and the libraries they called) and drop the runtime's own and the vm machinery's.
import { fileURLToPath } from 'node:url';
import { inspect, types } from 'node:util';

const RUNTIME_URL = new URL('.', import.meta.url).href;
const RUNTIME_DIR = fileURLToPath(RUNTIME_URL);
const FRAME = /^\s+at /;
const CELL_POSITION = /<cell-(\d+)>:(\d+):(\d+)/;
const LINE_BREAK = /\r\n?|[\n\u2028\u2029]/;

// Layout of every cell run so far (transform.mjs): functions of old cells show up in later stack
// traces too.
const layouts = new Map();

export function rememberCell(id, layout) {
  layouts.set(String(id), layout);
}

// Errors the runtime raises itself (interrupt, timeout): a name and a message, no frames.
export class CellStop extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}

export function describeError(error) {
  if (!isError(error)) {
    // `throw "x"`, `Promise.reject(42)`: no class, no stack. Named like the REPL's "Uncaught 'x'".
    return {
      name: 'Uncaught',
      value: typeof error === 'string' ? error : inspect(error),
      traceback: [`Uncaught ${inspect(error)}`],
    };
  }
  const name = errorName(error);
  const value = String(error.message ?? '');
  const stack = typeof error.stack === 'string' ? error.stack : `${name}: ${value}`;
  return { name, value, traceback: cleanStack(stack) };
}

// A cell that does not compile, shown the way Node shows a SyntaxError. Acorn and sucrase give `loc`;
// V8 (for what they accept and it does not) puts `<cell-N>:line`, the compiled line and a `^` marker on
// top of the stack.
export function describeSyntaxError(error, source, id) {
  const { line, column } = error.loc ?? compiledPosition(error, id);
  return {
    name: 'SyntaxError',
    value: error.message,
    traceback: [
      `<cell-${id}>:${line}`,
      source.split(LINE_BREAK)[line - 1] ?? '',
      `${' '.repeat(column)}^`,
      '',
      `SyntaxError: ${error.message}`,
    ],
  };
}

function compiledPosition(error, id) {
  const [where, , marker = ''] = String(error.stack).split('\n');
  const line = Number(/:(\d+)$/.exec(where)?.[1] ?? 1);
  const layout = layouts.get(String(id));
  const column = layout && originalColumn(layout, line, Math.max(0, marker.indexOf('^')));
  return { line, column: column ?? 0 };
}

// For errors nobody awaits any more (timers, unhandled rejections): stderr text as the REPL prints it.
export function uncaughtText(error) {
  const { traceback } = describeError(error);
  return `${isError(error) ? 'Uncaught ' : ''}${traceback.join('\n')}\n`;
}

export function isError(value) {
  return types.isNativeError(value) || value instanceof Error;
}

// `class NotFound extends Error {}` leaves name "Error"; the class says more.
function errorName(error) {
  const className = error.constructor?.name;
  return error.name === 'Error' && className && className !== 'Error' ? className : String(error.name);
}

function cleanStack(stack) {
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => FRAME.test(line));
  if (firstFrame < 0) return lines;
  const frames = lines
    .slice(firstFrame)
    .filter((line) => !isRuntimeFrame(line))
    .map(toUserPosition)
    .filter((line) => line !== null);
  // Below the last cell frame there is only what called the cell: the vm and the runtime's loop.
  const lastCell = frames.findLastIndex((line) => CELL_POSITION.test(line));
  return [...lines.slice(0, firstFrame), ...(lastCell >= 0 ? frames.slice(0, lastCell + 1) : frames)];
}

function isRuntimeFrame(line) {
  return line.includes(RUNTIME_URL) || line.includes(RUNTIME_DIR) || line.includes('node:vm:');
}

// Maps a cell position back to the user's code; positions in the runtime's wrapper (its prefix on
// line 1, the call after the last line) are the vm's doing: null drops the frame.
function toUserPosition(line) {
  const match = CELL_POSITION.exec(line);
  const layout = match && layouts.get(match[1]);
  if (!layout) return line;
  const row = Number(match[2]);
  const column = originalColumn(layout, row, Number(match[3]) - 1);
  if (column === null) return null;
  return line.replace(CELL_POSITION, `<cell-${match[1]}>:${row}:${column + 1}`);
}

// 0-based columns; edits before the position are undone, a position inside inserted text maps to
// where the text was inserted.
function originalColumn({ prefixLength, shift, lineCount, edits }, row, generated) {
  if (row > lineCount || (row === 1 && generated < prefixLength)) return null;
  let offset = row === 1 ? prefixLength : 0;
  for (const [line, column, delta, length] of edits) {
    if (line !== row) continue;
    const start = column + offset;
    if (generated < start) break;
    if (generated < start + length) return Math.max(0, column - (row === 1 ? shift : 0));
    offset += delta;
  }
  return Math.max(0, generated - offset - (row === 1 ? shift : 0));
}
