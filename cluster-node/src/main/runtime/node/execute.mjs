// Runs one cell: compile, run with interrupt/timeout, and turn the outcome into protocol frames.
import vm from 'node:vm';
import { CellStop, describeError, describeSyntaxError, rememberCell } from './errors.mjs';
import { resultBundle } from './format.mjs';
import { transformCell } from './transform.mjs';
import { transpile } from './typescript.mjs';

// `import()` in a cell uses Node's own ESM loader; with a filename that is not a path, bare and
// relative specifiers resolve from the current directory (the context's cwd). Node 20 has no other
// way without --experimental-vm-modules.
const SCRIPT_OPTIONS = { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER };

// Node 20 calls that constant experimental and warns on its first use, into the user's stderr. Use it
// once at startup with warnings muted (it warns only once per process); this also loads the loader.
export function warmUpDynamicImport() {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    new vm.Script('import("node:vm")', { filename: '<codeshard-warm-up>', ...SCRIPT_OPTIONS }).runInThisContext();
  } finally {
    process.emitWarning = emitWarning;
  }
}

// The cell awaiting its promise, if any: SIGINT and the deadline stop it through `stop`.
let running = null;

// SIGINT: ends a cell that waits for a promise; a cell running synchronous code is stopped by the vm
// (breakOnSigint) instead, and between cells there is nothing to do.
export function interruptCell() {
  running?.stop(interrupted());
}

const interrupted = () => new CellStop('Interrupted', 'Execution interrupted');

// Returns the cell's result or error frames (the caller adds `done`).
export async function executeCell({ id, code, env, timeoutMs }, { language, maxOutputBytes }) {
  const restoreEnv = applyEnv(env);
  try {
    let script;
    try {
      script = compile(id, code, language);
    } catch (error) {
      // Shown against the user's code: sucrase keeps TypeScript line numbers.
      return [{ ev: 'error', id, ...(error instanceof SyntaxError ? describeSyntaxError(error, code, id) : describeError(error)) }];
    }
    const value = await run(script, timeoutMs);
    return value === undefined ? [] : [{ ev: 'result', id, main: true, bundle: resultBundle(value, maxOutputBytes) }];
  } catch (error) {
    return [{ ev: 'error', id, ...describeError(error) }];
  } finally {
    restoreEnv();
  }
}

function compile(id, code, language) {
  const cell = transformCell(language === 'typescript' ? transpile(code) : code);
  rememberCell(id, cell.layout);
  return new vm.Script(cell.code, { filename: `<cell-${id}>`, ...SCRIPT_OPTIONS });
}

// The vm bounds the synchronous part (up to the first await) by timeout and SIGINT; the rest is
// raced against the same deadline and against SIGINT. A stopped cell's promise is abandoned: its
// pending callbacks may still run later, like after Ctrl-C in the REPL.
function run(script, timeoutMs) {
  const deadline = timeoutMs ? Date.now() + timeoutMs : null;
  const timedOut = () => new CellStop('TimeoutError', `Execution timed out after ${timeoutMs} ms`);
  let promise;
  try {
    promise = script.runInThisContext({
      displayErrors: false,
      breakOnSigint: true,
      ...(deadline && { timeout: Math.max(1, Math.ceil(timeoutMs)) }),
    });
  } catch (error) {
    if (error?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw timedOut();
    if (error?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw interrupted();
    throw error;
  }
  return new Promise((resolve, reject) => {
    // Whatever comes first settles the cell; an abandoned promise settling later changes nothing.
    const settleWith = (settle) => (outcome) => {
      if (running !== cell) return;
      running = null;
      clearTimeout(timer);
      settle(outcome);
    };
    const cell = { stop: settleWith(reject) };
    const timer = deadline && setTimeout(() => cell.stop(timedOut()), Math.max(0, deadline - Date.now()));
    running = cell;
    promise.then(settleWith(resolve), settleWith(reject));
  });
}

// Per-execution env overrides, undone when the cell ends.
function applyEnv(overrides) {
  const saved = Object.keys(overrides ?? {}).map((key) => [key, key in process.env ? process.env[key] : undefined]);
  Object.assign(process.env, overrides);
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
