// The E2B-compatible face of codeshard, judged by the real `@e2b/code-interpreter` client (WIRE.md §B, §C).
//
// The client is pointed at the gateway the way a self-hosted E2B user would: E2B_API_URL (control plane:
// Sandbox.create/connect/kill) and E2B_SANDBOX_URL (the in-sandbox code interpreter server) both at the
// gateway, with a dummy E2B_API_KEY. ConformanceTest sets them; when only CODESHARD_URL is given (or nothing),
// they default to the gateway of support.mjs.
//
// Run: node --import ./register.mjs --test test/e2b.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chartFigures, gatewayUrl, uniqueId, withoutTicks } from './support.mjs';

process.env.E2B_API_URL ??= gatewayUrl;
process.env.E2B_SANDBOX_URL ??= gatewayUrl;
process.env.E2B_API_KEY ??= 'dummy';

const { Sandbox } = await import('@e2b/code-interpreter');

const SANDBOX_URL = process.env.E2B_SANDBOX_URL.replace(/\/+$/, '');
const TIMEOUT = { timeout: 120_000 };
// runCode arms a request timer (60 s) that it clears only once a 2xx arrived; a rejected call leaves it
// pending and the test process alive for a minute. Calls expected to fail pass this to arm none.
const FAILS = { requestTimeoutMs: 0 };

/** Sandboxes created by the tests, killed at the end. */
const created = [];

async function newSandbox(opts) {
  const sandbox = await Sandbox.create(opts);
  created.push(sandbox);
  return sandbox;
}

/** The raw answer of the sandbox server (for wire facts the client hides). */
async function raw(sandbox, method, path, body) {
  const res = await fetch(`${SANDBOX_URL}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'E2b-Sandbox-Id': sandbox.sandboxId },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

/** The result that carries the main value, or undefined. */
function main(execution) {
  return execution.results.find((r) => r.isMainResult);
}

/** Runs code and fails on an execution error. */
async function ok(sandbox, code, opts) {
  const execution = await sandbox.runCode(code, opts);
  assert.equal(execution.error, undefined, `unexpected error running ${JSON.stringify(code)}: ${JSON.stringify(execution.error)}`);
  return execution;
}

let sbx;

before(async () => {
  sbx = await newSandbox();
});

after(async () => {
  for (const sandbox of created) {
    await sandbox.kill().catch(() => {});
  }
});

describe('control plane', () => {
  test('Sandbox.create gives a running sandbox whose id is a codeshard sandbox id', TIMEOUT, async () => {
    assert.match(sbx.sandboxId, /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal(await sbx.isRunning(), true);
    const health = await raw(sbx, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.text), 'OK');
  });

  test('Sandbox.connect reaches the same sandbox', TIMEOUT, async () => {
    const sandbox = await newSandbox();
    await ok(sandbox, 'connected_marker = 41');
    const again = await Sandbox.connect(sandbox.sandboxId);
    assert.equal(again.sandboxId, sandbox.sandboxId);
    assert.equal((await ok(again, 'connected_marker + 1')).text, '42');
  });

  test('kill: the sandbox is gone, its contexts too, and the SDK tells it is not running', TIMEOUT, async () => {
    const sandbox = await Sandbox.create();
    const context = await sandbox.createCodeContext();
    await ok(sandbox, 'x = 1', { context });
    assert.equal(await sandbox.isRunning(), true);
    await sandbox.kill();
    assert.equal(await sandbox.isRunning(), false);
    await assert.rejects(sandbox.runCode('x', { context, ...FAILS }));
    await assert.rejects(sandbox.listCodeContexts());
    assert.equal(await Sandbox.kill(sandbox.sandboxId), false, 'killing it twice finds nothing');
    await assert.rejects(Sandbox.connect(sandbox.sandboxId));
  });

  test('the Python SDK\'s POST /sandboxes and DELETE /sandboxes/{id}', TIMEOUT, async () => {
    const api = process.env.E2B_API_URL.replace(/\/+$/, '');
    const res = await fetch(`${api}/sandboxes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-KEY': process.env.E2B_API_KEY },
      body: JSON.stringify({ templateID: 'code-interpreter-v1', envVars: { A: 'b' } }),
    });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.match(body.sandboxID, /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal(body.templateID, 'code-interpreter-v1');
    assert.equal(body.envdVersion, '0.2.0');
    const killed = await fetch(`${api}/sandboxes/${body.sandboxID}`, { method: 'DELETE' });
    assert.equal(killed.status, 204);
    const again = await fetch(`${api}/sandboxes/${body.sandboxID}`, { method: 'DELETE' });
    assert.equal(again.status, 404);
    assert.equal((await again.json()).code, 404);
  });

  test('a sandbox the control plane did not create (as in E2B\'s debug mode) works too', TIMEOUT, async () => {
    const sandbox = await Sandbox.connect(uniqueId('e2b'));
    assert.equal((await ok(sandbox, 'const n: number = 2; n * 21', { language: 'ts' })).text, '42');
    const languages = (await sandbox.listCodeContexts()).map((c) => c.language);
    assert.deepEqual(languages, ['python', 'javascript', 'typescript'], 'the defaults come first');
    await Sandbox.kill(sandbox.sandboxId);
  });

  test('two created sandboxes are separate: own contexts, variables and files', TIMEOUT, async () => {
    const a = await newSandbox();
    const b = await newSandbox();
    assert.notEqual(a.sandboxId, b.sandboxId);
    await ok(a, 'only_in_a = 1\nopen("only_in_a.txt", "w").write("a")');
    const missing = await b.runCode('only_in_a');
    assert.equal(missing.error?.name, 'NameError');
    assert.equal((await ok(b, 'import os\nos.path.exists("only_in_a.txt")')).text, 'False');
    assert.equal((await ok(a, 'import os\nos.path.exists("only_in_a.txt")')).text, 'True');
    const context = await a.createCodeContext();
    const ids = (await b.listCodeContexts()).map((c) => c.id);
    assert.ok(!ids.includes(context.id), `a's context must not be listed in b: ${ids}`);
  });
});

describe('contexts', () => {
  test('a fresh sandbox lists its default python and javascript contexts', TIMEOUT, async () => {
    const sandbox = await newSandbox();
    const contexts = await sandbox.listCodeContexts();
    assert.deepEqual(contexts.map((c) => c.language), ['python', 'javascript']);
    for (const context of contexts) {
      assert.equal(context.cwd, '/home/user');
      assert.equal(typeof context.id, 'string');
    }
  });

  test('create python, javascript and typescript contexts; list them in creation order after the defaults', TIMEOUT, async () => {
    const sandbox = await newSandbox();
    const py = await sandbox.createCodeContext();
    assert.equal(py.language, 'python');
    assert.equal(py.cwd, '/home/user');
    const js = await sandbox.createCodeContext({ language: 'js' });
    assert.equal(js.language, 'javascript');
    const ts = await sandbox.createCodeContext({ language: 'typescript', cwd: '/home/user/ts' });
    assert.equal(ts.language, 'typescript');
    assert.equal(ts.cwd, '/home/user/ts');
    const contexts = await sandbox.listCodeContexts();
    assert.deepEqual(contexts.map((c) => c.language), ['python', 'javascript', 'python', 'javascript', 'typescript']);
    assert.deepEqual(contexts.slice(2).map((c) => c.id), [py.id, js.id, ts.id]);
    assert.equal(contexts[contexts.length - 1].id, ts.id, 'the newest context is last');
    assert.deepEqual(contexts[4], ts);
  });

  test('a context runs in its cwd', TIMEOUT, async () => {
    const context = await sbx.createCodeContext({ cwd: '/home/user/project' });
    const cwd = (await ok(sbx, 'import os\nos.getcwd()', { context })).text;
    assert.ok(cwd.endsWith('/home/user/project'), cwd);
  });

  test('restart resets the state and keeps the id', TIMEOUT, async () => {
    const context = await sbx.createCodeContext();
    await ok(sbx, 'kept = 7', { context });
    assert.equal((await ok(sbx, 'kept', { context })).text, '7');
    await sbx.restartCodeContext(context);
    const after = await sbx.runCode('kept', { context });
    assert.equal(after.error?.name, 'NameError');
    assert.ok((await sbx.listCodeContexts()).some((c) => c.id === context.id), 'same id after restart');
    await sbx.restartCodeContext(context.id); // by id works as well
    assert.equal((await ok(sbx, '1 + 1', { context })).text, '2');
  });

  test('remove deletes the context', TIMEOUT, async () => {
    const context = await sbx.createCodeContext({ language: 'javascript' });
    await ok(sbx, 'const a = 1', { context });
    await sbx.removeCodeContext(context);
    assert.ok(!(await sbx.listCodeContexts()).some((c) => c.id === context.id));
    await assert.rejects(sbx.runCode('a', { context, ...FAILS }), (error) => {
      assert.equal(error.name, 'NotFoundError');
      assert.match(error.message, new RegExp(`Context ${context.id} not found`));
      return true;
    });
  });

  test('unknown contexts are 404s', TIMEOUT, async () => {
    const nope = { id: 'no-such-context', language: 'python', cwd: '/home/user' };
    for (const call of [() => sbx.runCode('1', { context: nope, ...FAILS }), () => sbx.restartCodeContext(nope),
      () => sbx.removeCodeContext(nope)]) {
      await assert.rejects(call(), (error) => {
        assert.equal(error.name, 'NotFoundError');
        assert.match(error.message, /Context no-such-context not found/);
        return true;
      });
    }
    const direct = await raw(sbx, 'POST', '/execute', { code: '1', context_id: 'no-such-context' });
    assert.equal(direct.status, 404);
    assert.equal(direct.text, 'Context no-such-context not found');
  });

  test('an unknown language is refused', TIMEOUT, async () => {
    await assert.rejects(sbx.runCode('1', { language: 'cobol', ...FAILS }), /400/);
    await assert.rejects(sbx.createCodeContext({ language: 'cobol' }), /400/);
  });
});

describe('execution', () => {
  test('state persists across runs', TIMEOUT, async () => {
    await ok(sbx, 'x = 1');
    assert.equal((await ok(sbx, 'x += 1; x')).text, '2');
    await ok(sbx, 'import math; radius = 5');
    assert.equal((await ok(sbx, 'math.pi * radius ** 2')).text, '78.53981633974483');
    const sum = await ok(sbx, 'data = [1, 2, 3, 4, 5]\nprint(f"Sum: {sum(data)}")\nsum(data)');
    assert.deepEqual(sum.logs.stdout, ['Sum: 15\n']);
    assert.equal(sum.text, '15');
  });

  test('the first cell of a fresh context is execution 1', TIMEOUT, async () => {
    const context = await sbx.createCodeContext();
    assert.equal((await ok(sbx, '1', { context })).executionCount, 1);
    assert.equal((await ok(sbx, '2', { context })).executionCount, 2);
  });

  test('contexts are isolated but share the sandbox filesystem', TIMEOUT, async () => {
    const one = await sbx.createCodeContext();
    const two = await sbx.createCodeContext();
    const js = await sbx.createCodeContext({ language: 'javascript' });
    await ok(sbx, 'secret = 42\nopen("shared.txt", "w").write("from python")', { context: one });
    assert.equal((await sbx.runCode('secret', { context: two })).error?.name, 'NameError');
    assert.equal((await ok(sbx, 'open("shared.txt").read()', { context: two })).text, 'from python');
    const read = await ok(sbx, 'const fs = require("fs"); fs.readFileSync("shared.txt", "utf8")', { context: js });
    assert.match(main(read).text, /from python/);
  });

  test('errors: ZeroDivisionError and NameError with a traceback string', TIMEOUT, async () => {
    const errors = [];
    const division = await sbx.runCode('x = 1 / 0', { onError: (e) => errors.push(e) });
    assert.equal(division.error.name, 'ZeroDivisionError');
    assert.equal(division.error.value, 'division by zero');
    assert.equal(typeof division.error.traceback, 'string');
    assert.match(division.error.traceback, /ZeroDivisionError/);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].name, 'ZeroDivisionError');
    const name = await sbx.runCode('undefined_name_here');
    assert.equal(name.error.name, 'NameError');
    assert.match(name.error.value, /undefined_name_here/);
    const syntax = await sbx.runCode('def broken(:');
    assert.equal(syntax.error.name, 'SyntaxError');
  });

  test('errors: JavaScript ReferenceError and a rejected promise', TIMEOUT, async () => {
    const reference = await sbx.runCode('notDefinedAnywhere + 1', { language: 'javascript' });
    assert.equal(reference.error.name, 'ReferenceError');
    assert.match(reference.error.value, /notDefinedAnywhere/);
    const rejected = await sbx.runCode('await Promise.reject(new Error("boom"))', { language: 'javascript' });
    assert.equal(rejected.error.name, 'Error');
    assert.equal(rejected.error.value, 'boom');
  });

  test('onStdout receives exactly one message "hello\\n" for print("hello")', TIMEOUT, async () => {
    const stdout = [];
    const stderr = [];
    const execution = await sbx.runCode('print("hello")', { onStdout: (m) => stdout.push(m), onStderr: (m) => stderr.push(m) });
    assert.equal(stdout.length, 1);
    assert.equal(stdout[0].line, 'hello\n');
    assert.equal(stdout[0].error, false);
    assert.deepEqual(execution.logs.stdout, ['hello\n']);
    assert.deepEqual(stderr, []);
    const err = [];
    const toStderr = await sbx.runCode('import sys\nprint("oops", file=sys.stderr)', { onStderr: (m) => err.push(m) });
    assert.deepEqual(err.map((m) => m.line), ['oops\n']);
    assert.equal(err[0].error, true);
    assert.deepEqual(toStderr.logs.stderr, ['oops\n']);
  });

  test('non-ASCII output arrives intact', TIMEOUT, async () => {
    const execution = await ok(sbx, 'print("héllo wörld 😀 日本")\n"ünïcode ✓"');
    assert.deepEqual(execution.logs.stdout, ['héllo wörld 😀 日本\n']);
    assert.equal(execution.text, 'ünïcode ✓');
  });

  test('events stream in order, as they happen', TIMEOUT, async () => {
    const seen = [];
    const started = Date.now();
    await ok(sbx, 'import time\nprint("before", flush=True)\ndisplay("shown")\ntime.sleep(1)\nprint("after")\n"last"', {
      onStdout: (m) => seen.push({ what: `stdout:${m.line.trim()}`, at: Date.now() - started }),
      onResult: (r) => seen.push({ what: `result:${r.text}:${r.isMainResult}`, at: Date.now() - started }),
    });
    assert.deepEqual(seen.map((s) => s.what), ['stdout:before', 'result:shown:false', 'stdout:after', 'result:last:true']);
    assert.ok(seen[2].at - seen[0].at >= 800, `"before" came as it was printed, not at the end: ${JSON.stringify(seen)}`);
  });

  test('20 concurrent runs on one context are serialized', TIMEOUT, async () => {
    const context = await sbx.createCodeContext();
    await ok(sbx, 'import time\nactive = 0\ncounter = 0\noverlaps = 0', { context });
    const code = 'active += 1\noverlaps += active > 1\ntime.sleep(0.02)\ncounter += 1\nactive -= 1\ncounter';
    const runs = await Promise.all(Array.from({ length: 20 }, () => sbx.runCode(code, { context })));
    for (const run of runs) {
      assert.equal(run.error, undefined, JSON.stringify(run.error));
    }
    assert.deepEqual(runs.map((r) => Number(r.text)).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal(new Set(runs.map((r) => r.executionCount)).size, 20);
    assert.equal((await ok(sbx, 'overlaps', { context })).text, '0');
  });

  test('a client that goes away interrupts its cell, and the context stays usable', TIMEOUT, async () => {
    const context = await sbx.createCodeContext();
    await assert.rejects(
      sbx.runCode('import time\nprogress = "started"\ntime.sleep(120)\nprogress = "finished"', { context, timeoutMs: 1500 }),
      (error) => error.name === 'TimeoutError');
    const leftAt = Date.now();
    const next = await ok(sbx, 'progress', { context });
    assert.equal(next.text, 'started');
    // keepalives are 5 s apart; a dead connection shows at the first or second write after it died
    assert.ok(Date.now() - leftAt < 20_000, `the next cell waited ${Date.now() - leftAt} ms`);
  });

  test('a dead interpreter is an error line, and the next run tells of the reset on stderr', TIMEOUT, async () => {
    const context = await sbx.createCodeContext();
    await ok(sbx, 'before_crash = 1', { context });
    const crash = await sbx.runCode('import os\nos._exit(3)', { context });
    assert.equal(crash.error?.name, 'ContextRestarting');
    const next = await sbx.runCode('before_crash', { context });
    assert.equal(next.error?.name, 'NameError');
    assert.ok(next.logs.stderr.some((line) => line.includes('state_reset')), JSON.stringify(next.logs));
  });
});

describe('rich results', () => {
  for (const [name, figure] of Object.entries(chartFigures)) {
    test(`chart: ${name}`, TIMEOUT, async () => {
      const execution = await ok(sbx, figure.code);
      const charts = execution.results.filter((r) => r.chart);
      assert.equal(charts.length, 1, JSON.stringify(execution.results.map((r) => r.formats())));
      const result = charts[0];
      assert.equal(result.isMainResult, false);
      assert.ok(result.png, 'the figure is rendered as png');
      assert.match(result.text, /^<Figure size \d+x\d+ with \d+ Axes>$/);
      assert.deepEqual(result.extra, {});
      assert.deepEqual(withoutTicks(result.chart), figure.chart);
      const pointCharts = result.chart.type === 'superchart' ? [result.chart.elements[0]] : [result.chart];
      for (const chart of pointCharts.filter((c) => c.type === 'line' || c.type === 'scatter')) {
        for (const axis of ['x', 'y']) {
          assert.ok(Array.isArray(chart[`${axis}_ticks`]) && chart[`${axis}_ticks`].length > 0, `${axis} ticks`);
          assert.equal(chart[`${axis}_ticks`].length, chart[`${axis}_tick_labels`].length);
        }
      }
      if (name === 'line') {
        for (const tick of result.chart.x_ticks) {
          assert.match(tick, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, 'datetime ticks are ISO strings');
        }
      }
    });
  }

  test('a DataFrame gives text, html and data', TIMEOUT, async () => {
    const execution = await ok(sbx, 'import pandas as pd\npd.DataFrame({"a": [1, 2], "b": ["x", "y"], '
      + '"t": pd.to_datetime(["2024-01-01", "2024-01-02"])})');
    const result = main(execution);
    assert.match(result.text, /a\s+b\s+t/);
    assert.match(result.html, /<table/);
    assert.deepEqual(result.data, { a: [1, 2], b: ['x', 'y'], t: ['2024-01-01T00:00:00', '2024-01-02T00:00:00'] });
    assert.ok(result.formats().includes('html') && result.formats().includes('data'));
    assert.deepEqual(result.extra, {});
  });

  test('display() data and _repr_*_ formats', TIMEOUT, async () => {
    const execution = await ok(sbx, [
      'from IPython.display import HTML, Markdown',
      'display(HTML("<b>bold</b>"))',
      'display(Markdown("**md**"))',
      'class Rich:',
      '    def _repr_html_(self): return "<i>rich</i>"',
      '    def _repr_json_(self): return {"k": [1, 2]}',
      '    def _repr_latex_(self): return r"$x^2$"',
      'Rich()',
    ].join('\n'));
    assert.equal(execution.results.length, 3);
    const [html, markdown, rich] = execution.results;
    assert.equal(html.html, '<b>bold</b>');
    assert.equal(html.isMainResult, false);
    assert.equal(markdown.markdown, '**md**');
    assert.equal(rich.isMainResult, true);
    assert.equal(rich.html, '<i>rich</i>');
    assert.deepEqual(rich.json, { k: [1, 2] });
    assert.equal(rich.latex, '$x^2$');
    for (const result of execution.results) {
      assert.deepEqual(result.extra, {}, 'only standard keys on the wire');
    }
  });

  test('plain-text results lose their quotes', TIMEOUT, async () => {
    assert.equal((await ok(sbx, '"bar"')).text, 'bar');
    assert.equal((await ok(sbx, "'it'")).text, 'it');
    assert.equal((await ok(sbx, '[1, "a"]')).text, "[1, 'a']");
  });
});

describe('environment variables', () => {
  test('sandbox envs given at create reach every context; per-run envs do not leak', TIMEOUT, async () => {
    const sandbox = await newSandbox({ envs: { SANDBOX_LEVEL: 'sandbox-value', SHADOWED: 'sandbox' } });
    assert.equal((await ok(sandbox, 'import os\nos.environ.get("SANDBOX_LEVEL")')).text, 'sandbox-value');
    assert.equal((await ok(sandbox, 'process.env.SANDBOX_LEVEL', { language: 'javascript' })).text, 'sandbox-value');
    const context = await sandbox.createCodeContext();
    assert.equal((await ok(sandbox, 'import os\nos.environ.get("SANDBOX_LEVEL")', { context })).text, 'sandbox-value');
    const ts = await sandbox.createCodeContext({ language: 'ts' });
    assert.equal((await ok(sandbox, 'const v: string | undefined = process.env.SANDBOX_LEVEL; v', { context: ts })).text, 'sandbox-value');

    const run = await ok(sandbox, 'import os\n(os.environ.get("RUN_ONLY"), os.environ.get("SHADOWED"))',
      { context, envs: { RUN_ONLY: 'run-value', SHADOWED: 'run' } });
    assert.equal(run.text, "('run-value', 'run')");
    const next = await ok(sandbox, 'import os\n(os.environ.get("RUN_ONLY"), os.environ.get("SHADOWED"))', { context });
    assert.equal(next.text, "(None, 'sandbox')");

    const jsRun = await ok(sandbox, 'process.env.RUN_ONLY', { language: 'javascript', envs: { RUN_ONLY: 'js-run' } });
    assert.equal(jsRun.text, 'js-run');
    const jsNext = await ok(sandbox, 'String(process.env.RUN_ONLY)', { language: 'javascript' });
    assert.equal(jsNext.text, 'undefined');
  });

  test('a sandbox without envs does not see another sandbox\'s', TIMEOUT, async () => {
    await newSandbox({ envs: { ONLY_THERE: '1' } });
    assert.equal((await ok(sbx, 'import os\nstr(os.environ.get("ONLY_THERE"))')).text, 'None');
  });
});

describe('JavaScript and TypeScript', () => {
  test('state, redeclaration, top-level await and Node built-ins', TIMEOUT, async () => {
    const context = await sbx.createCodeContext({ language: 'javascript' });
    await ok(sbx, 'const x = 10', { context });
    await ok(sbx, 'let y = 20', { context });
    assert.equal((await ok(sbx, 'x + y', { context })).text, '30');
    await ok(sbx, 'const x = 11', { context });
    assert.equal((await ok(sbx, 'x', { context })).text, '11');
    const awaited = await ok(sbx, 'await new Promise((resolve) => setTimeout(() => resolve(5), 20))', { context });
    assert.equal(awaited.text, '5');
    const imported = await ok(sbx, 'import { join } from "node:path"\njoin("a", "b")', { context });
    assert.equal(imported.text, 'a/b');
    const required = await ok(sbx, 'const os = require("os"); typeof os.platform()', { context });
    assert.equal(required.text, 'string');
    const logged = await ok(sbx, 'console.log("from js")', { context });
    assert.deepEqual(logged.logs.stdout, ['from js\n']);
  });

  test('TypeScript: annotations, interfaces, generics, top-level await, imports', TIMEOUT, async () => {
    const context = await sbx.createCodeContext({ language: 'typescript' });
    await ok(sbx, 'interface Point { x: number; y: number }\nfunction first<T>(items: T[]): T { return items[0] }', { context });
    const value = await ok(sbx, 'const p: Point = { x: 1, y: 2 }\nfirst<number>([p.x + p.y, 9])', { context });
    assert.equal(value.text, '3');
    const awaited = await ok(sbx, 'import { setTimeout as sleep } from "node:timers/promises"\n'
      + 'const n: number = await sleep(10, 7)\nn * 6', { context });
    assert.equal(awaited.text, '42');
    const byLanguage = await ok(sbx, 'const t: string = "ts"; t', { language: 'ts' });
    assert.equal(byLanguage.text, 'ts');
  });
});

describe('wire', () => {
  test('NDJSON: number_of_executions first, timestamps, ASCII only, no blank line, end_of_execution last', TIMEOUT, async () => {
    const res = await raw(sbx, 'POST', '/execute?source=ci', { code: 'print("héllo 😀")\n1 + 1' });
    assert.equal(res.status, 200);
    assert.match(res.text, /^[\x00-\x7F]*$/, 'all non-ASCII escaped');
    assert.ok(res.text.endsWith('\n'));
    const lines = res.text.slice(0, -1).split('\n');
    assert.ok(lines.every((line) => line.length > 0), 'never a blank line');
    const messages = lines.map((line) => JSON.parse(line));
    assert.equal(messages[0].type, 'number_of_executions');
    assert.equal(typeof messages[0].execution_count, 'number');
    assert.deepEqual(messages[messages.length - 1], { type: 'end_of_execution' });
    const stdout = messages.find((m) => m.type === 'stdout');
    assert.equal(stdout.text, 'héllo 😀\n');
    assert.ok(!Number.isNaN(Date.parse(stdout.timestamp)), stdout.timestamp);
    const result = messages.find((m) => m.type === 'result');
    assert.deepEqual(result, { type: 'result', text: '2', extra: {}, is_main_result: true });
  });

  test('keepalive lines while a cell is silent', TIMEOUT, async () => {
    const res = await raw(sbx, 'POST', '/execute', { code: 'import time\ntime.sleep(6)' });
    const types = res.text.trim().split('\n').map((line) => JSON.parse(line).type);
    assert.ok(types.includes('keepalive'), types.join());
    assert.equal(types[types.length - 1], 'end_of_execution');
  });

  test('only the first error of an execution', TIMEOUT, async () => {
    const res = await raw(sbx, 'POST', '/execute', { code: 'raise ValueError("first")' });
    const errors = res.text.trim().split('\n').map((line) => JSON.parse(line)).filter((m) => m.type === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].name, 'ValueError');
    assert.equal(typeof errors[0].traceback, 'string');
  });

  test('bad requests are 4xx: non-string code, both context_id and language, bad JSON', TIMEOUT, async () => {
    await assert.rejects(sbx.runCode({ not: 'a string' }, FAILS), /4\d\d/);
    const both = await raw(sbx, 'POST', '/execute', { code: '1', context_id: 'x', language: 'python' });
    assert.equal(both.status, 400);
    assert.match(both.text, /context_id or language/);
    const notJson = await raw(sbx, 'POST', '/execute', '{"code": ');
    assert.equal(notJson.status, 400);
    const noCode = await raw(sbx, 'POST', '/execute', {});
    assert.equal(noCode.status, 400);
    const badEnv = await raw(sbx, 'POST', '/execute', { code: '1', env_vars: { A: 1 } });
    assert.equal(badEnv.status, 400);
  });
});

// A gateway with API keys (ConformanceTest binds one beside the open one): CODESHARD_KEYED_URL, a valid key of one
// tenant (CODESHARD_KEY) and one of another (CODESHARD_OTHER_KEY). The SDK sends E2B_API_KEY to the control plane,
// and the gateway hands the key back as the sandbox's access tokens, which the SDK sends on the data plane.
describe('with API keys', { skip: !process.env.CODESHARD_KEYED_URL && 'CODESHARD_KEYED_URL is not set' }, () => {
  const keyed = (apiKey) => ({ apiKey, apiUrl: process.env.CODESHARD_KEYED_URL, sandboxUrl: process.env.CODESHARD_KEYED_URL });

  test('a wrong key is refused by Sandbox.create', TIMEOUT, async () => {
    await assert.rejects(Sandbox.create(keyed('e2b_wrong_key')), (error) => {
      assert.match(String(error?.message), /401|API key/i, `${error?.name}: ${error?.message}`);
      return true;
    });
  });

  test('the right key creates, runs, lists, restarts, removes and kills', TIMEOUT, async () => {
    const sandbox = await Sandbox.create(keyed(process.env.CODESHARD_KEY));
    try {
      assert.equal(main(await ok(sandbox, 'x = 20\nx + 22')).text, '42');
      const context = await sandbox.createCodeContext({ language: 'python' });
      assert.ok((await sandbox.listCodeContexts()).some((c) => c.id === context.id));
      await ok(sandbox, 'y = 1', { context });
      await sandbox.restartCodeContext(context);
      const after = await sandbox.runCode('y', { context, ...FAILS });
      assert.equal(after.error?.name, 'NameError');
      await sandbox.removeCodeContext(context);
      assert.ok(!(await sandbox.listCodeContexts()).some((c) => c.id === context.id));
      assert.equal(await sandbox.isRunning(), true);
    } finally {
      await sandbox.kill();
    }
    assert.equal(await sandbox.isRunning(), false);
  });

  test('another tenant cannot reach the sandbox: connect and kill are 404, its contexts unknown', TIMEOUT, async () => {
    const sandbox = await Sandbox.create(keyed(process.env.CODESHARD_KEY));
    try {
      const context = await sandbox.createCodeContext();
      await assert.rejects(Sandbox.connect(sandbox.sandboxId, keyed(process.env.CODESHARD_OTHER_KEY)), (error) => {
        assert.match(`${error?.name} ${error?.message}`, /not ?found|404/i);
        return true;
      });
      assert.equal(await Sandbox.kill(sandbox.sandboxId, keyed(process.env.CODESHARD_OTHER_KEY)), false);
      // the other tenant's own sandbox of that id knows nothing of the first one's contexts
      const other = new Sandbox({ ...keyed(process.env.CODESHARD_OTHER_KEY), sandboxId: sandbox.sandboxId,
        envdAccessToken: process.env.CODESHARD_OTHER_KEY, trafficAccessToken: process.env.CODESHARD_OTHER_KEY, envdVersion: '0.2.0' });
      assert.ok(!(await other.listCodeContexts()).some((c) => c.id === context.id));
      await assert.rejects(other.runCode('1', { context, ...FAILS }), /not found/i);
      assert.equal(main(await ok(sandbox, '1 + 1', { context })).text, '2');
    } finally {
      await sandbox.kill();
    }
  });
});
