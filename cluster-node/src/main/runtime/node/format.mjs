// The value of a cell's last expression -> a result bundle (docs/runtime-protocol.md).
import { inspect } from 'node:util';
import { describeError, isError } from './errors.mjs';

// `text` is what the Node REPL prints (an error with its stack cleaned of the runtime's frames);
// plain objects and arrays are also sent as `json`. Both are bounded by the context's output cap
// (counted in characters) so one huge value cannot make an oversized frame.
export function resultBundle(value, limit) {
  const text = isError(value) ? describeError(value).traceback.join('\n') : inspect(value, { showProxy: true });
  const bundle = { text: truncate(text, limit) };
  if (isPlainData(value)) {
    const json = jsonText(value);
    if (json !== undefined && json.length <= limit) bundle.json = JSON.parse(json);
  }
  return bundle;
}

function isPlainData(value) {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Cycles and BigInts make a value not JSON.
function jsonText(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function truncate(text, limit) {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n… (${text.length - limit} more characters not shown)`;
}
