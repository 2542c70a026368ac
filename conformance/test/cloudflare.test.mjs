// The real @cloudflare/sandbox client (SandboxClient's interpreter wrapped in the package's CodeInterpreter,
// which is what Sandbox.createCodeContext/runCode/... delegate to) against a codeshard gateway at CODESHARD_URL.
// Run: node --import ./register.mjs --test test/cloudflare.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeInterpreter, SandboxClient } from '@cloudflare/sandbox';
import { chartFigures, gatewayUrl, uniqueId, withoutTicks } from './support.mjs';

/** A client of one sandbox: the Sandbox Durable Object sends its id as X-Sandbox-Id, and so do we. */
function openSandbox(id = uniqueId('cf')) {
  const client = new SandboxClient({ baseUrl: gatewayUrl, defaultHeaders: { 'X-Sandbox-Id': id } });
  return { id, client, interpreter: new CodeInterpreter(client.interpreter) };
}

/** Runs code with every callback recorded, in arrival order, with the time since the call. */
async function run(interpreter, code, options = {}) {
  const events = [];
  const started = Date.now();
  const record = (type) => (value) => {
    events.push({ type, value, at: Date.now() - started });
  };
  const execution = await interpreter.runCode(code, {
    ...options,
    onStdout: record('stdout'),
    onStderr: record('stderr'),
    onResult: record('result'),
    onError: record('error'),
  });
  return { execution, events, elapsed: Date.now() - started };
}

/** The single main-ish text of a run: results[0].text, failing with the run's error if there is one. */
async function text(interpreter, code, options) {
  const { execution } = await run(interpreter, code, options);
  assert.equal(execution.error, undefined, `unexpected error: ${JSON.stringify(execution.error)}`);
  return execution.results[0]?.text;
}

async function rejectsWith(promise, expected) {
  await assert.rejects(promise, (error) => {
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(error[key], value, `error.${key} of ${error?.name}: ${error?.message}`);
    }
    return true;
  });
}

describe('gateway', () => {
  test('GET /api/interpreter/health answers healthy', async () => {
    const response = await fetch(`${gatewayUrl}/api/interpreter/health`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.success, true);
    assert.equal(body.status, 'healthy');
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)), body.timestamp);
  });

  test('an unknown /api route is a JSON error the client can read', async () => {
    const response = await fetch(`${gatewayUrl}/api/no-such-thing`);
    assert.equal(response.status, 404);
    const body = await response.json();
    assert.equal(body.httpStatus, 404);
    assert.equal(typeof body.code, 'string');
    assert.equal(typeof body.message, 'string');
    assert.ok(body.timestamp);
  });

  test('without X-Sandbox-Id the sandbox is "default"', async () => {
    const plain = new CodeInterpreter(new SandboxClient({ baseUrl: gatewayUrl }).interpreter);
    const ctx = await plain.createCodeContext({ language: 'python' });
    const listed = await openSandbox('default').interpreter.listCodeContexts();
    assert.ok(listed.some((c) => c.id === ctx.id), 'listed in sandbox default');
    await plain.deleteCodeContext(ctx.id);
  });
});

/** POSTs to /api/execute/code as the client does and returns the answer with its raw body. */
async function executeRaw(sandboxId, body, signal) {
  const response = await fetch(`${gatewayUrl}/api/execute/code`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Id': sandboxId },
    body: JSON.stringify(body),
    signal,
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('wire', () => {
  test('the event stream: data frames of one-line JSON, ASCII only, real execution_count, no cache', async () => {
    const { id, interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    await interpreter.runCode('pass', { context: ctx });
    const { response, bytes } = await executeRaw(id, { context_id: ctx.id, code: 'print("hé ✓")\n1 + 1' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.ok(bytes.every((byte) => byte < 0x80), 'non-ASCII characters are escaped, so no chunk can split one');
    const frames = bytes.toString('ascii').split('\n\n').filter((frame) => frame.length > 0 && !frame.startsWith(':'));
    for (const frame of frames) {
      assert.match(frame, /^data: \{[^\n]*\}$/, frame);
    }
    const events = frames.map((frame) => JSON.parse(frame.slice('data: '.length)));
    assert.deepEqual(events.map((e) => e.type), ['stdout', 'result', 'execution_complete']);
    assert.equal(events[0].text, 'hé ✓\n');
    assert.equal(typeof events[0].timestamp, 'number');
    assert.equal(events[1].text, '2');
    assert.deepEqual(events[2], { type: 'execution_complete', execution_count: 2 });
  });

  test('error frames carry ename, evalue and traceback lines', async () => {
    const { id } = openSandbox();
    const { bytes } = await executeRaw(id, { code: 'raise KeyError("k")', language: 'python' });
    const events = bytes.toString('ascii').split('\n\n').filter((f) => f.startsWith('data: ')).map((f) => JSON.parse(f.slice(6)));
    const error = events.find((e) => e.type === 'error');
    assert.equal(error.ename, 'KeyError');
    assert.equal(error.evalue, "'k'");
    assert.ok(Array.isArray(error.traceback) && error.traceback.every((line) => typeof line === 'string'));
    assert.equal(events.at(-1).type, 'execution_complete');
  });

  test('a silent cell keeps the stream alive with SSE comments the client ignores', async () => {
    const { id } = openSandbox();
    const { bytes } = await executeRaw(id, { code: 'import time\ntime.sleep(2.5)\n"done"', language: 'python' });
    const body = bytes.toString('ascii');
    assert.match(body, /^: keep-alive$/m);
    assert.match(body, /data: \{"type":"result","text":"'done'"\}/);
  });

  test('error answers have the shape createErrorFromResponse reads', async () => {
    const { id } = openSandbox();
    const { response, bytes } = await executeRaw(id, { context_id: 'c-missing', code: '1' });
    assert.equal(response.status, 404);
    const body = JSON.parse(bytes.toString('utf8'));
    assert.equal(body.code, 'CONTEXT_NOT_FOUND');
    assert.equal(body.httpStatus, 404);
    assert.deepEqual(body.context, { contextId: 'c-missing' });
    assert.equal(body.operation, 'code.execute');
    assert.equal(typeof body.message, 'string');
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));

    const missingCode = await executeRaw(id, { language: 'python' });
    assert.equal(missingCode.response.status, 400);
    assert.equal(JSON.parse(missingCode.bytes.toString('utf8')).context.validationErrors[0].field, 'code');
    for (const [body, field] of [[{ code: 5 }, 'code'], [{ code: '1', timeout_ms: '500' }, 'timeout_ms'],
      [{ code: '1', timeout_ms: 0 }, 'timeout_ms'], [{ code: '1', language: 'cobol' }, 'language']]) {
      const wrong = await executeRaw(id, body);
      assert.equal(wrong.response.status, 400, JSON.stringify(body));
      assert.equal(JSON.parse(wrong.bytes.toString('utf8')).context.validationErrors[0].field, field, JSON.stringify(body));
    }
    const badJson = await fetch(`${gatewayUrl}/api/contexts`, { method: 'POST', body: '{not json', headers: { 'X-Sandbox-Id': id } });
    assert.equal(badJson.status, 400);
    assert.equal((await badJson.json()).code, 'VALIDATION_FAILED');
    const badSandbox = await fetch(`${gatewayUrl}/api/contexts`, { headers: { 'X-Sandbox-Id': 'no/slashes' } });
    assert.equal(badSandbox.status, 400);
  });

  test('a client that goes away interrupts its cell; the context is free again at once', async () => {
    const { id, interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    const abort = new AbortController();
    const response = await fetch(`${gatewayUrl}/api/execute/code`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Id': id },
      body: JSON.stringify({ context_id: ctx.id, code: 'import time\ntime.sleep(60)' }),
      signal: abort.signal,
    });
    assert.equal(response.status, 200);
    abort.abort();
    const started = Date.now();
    assert.equal(await text(interpreter, '"next"', { context: ctx }), "'next'");
    assert.ok(Date.now() - started < 10_000, `the next run waited ${Date.now() - started} ms`);
  });
});

describe('context lifecycle', () => {
  test('create python, javascript and typescript contexts, list them, delete one', async () => {
    const { interpreter } = openSandbox();
    const created = [];
    for (const language of ['python', 'javascript', 'typescript']) {
      const ctx = await interpreter.createCodeContext({ language });
      assert.equal(typeof ctx.id, 'string');
      assert.ok(ctx.id.length > 0);
      assert.equal(ctx.language, language);
      assert.equal(ctx.cwd, '/workspace');
      assert.ok(ctx.createdAt instanceof Date && !Number.isNaN(ctx.createdAt.getTime()));
      created.push(ctx);
    }
    const listed = await interpreter.listCodeContexts();
    assert.deepEqual(listed.map(({ id, language, cwd }) => ({ id, language, cwd })),
      created.map(({ id, language, cwd }) => ({ id, language, cwd })), 'listed in creation order');

    await interpreter.deleteCodeContext(created[1].id);
    const after = await interpreter.listCodeContexts();
    assert.deepEqual(after.map((c) => c.id), [created[0].id, created[2].id]);
  });

  test('a deleted context is 404 for runCode and for a second delete', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    await interpreter.deleteCodeContext(ctx.id);
    const notFound = { name: 'ContextNotFoundError', code: 'CONTEXT_NOT_FOUND', httpStatus: 404, contextId: ctx.id };
    await rejectsWith(interpreter.runCode('1 + 1', { context: ctx }), notFound);
    await rejectsWith(interpreter.deleteCodeContext(ctx.id), notFound);
  });

  test('an unknown context id is 404', async () => {
    const { interpreter } = openSandbox();
    const ghost = { id: 'c-0000000000000000', language: 'python', cwd: '/workspace' };
    await rejectsWith(interpreter.runCode('1', { context: ghost }),
      { name: 'ContextNotFoundError', code: 'CONTEXT_NOT_FOUND', httpStatus: 404, contextId: ghost.id });
    await rejectsWith(interpreter.deleteCodeContext(ghost.id), { name: 'ContextNotFoundError', httpStatus: 404 });
  });

  test('language aliases the client accepts map to the canonical language', async () => {
    const { interpreter } = openSandbox();
    for (const [alias, language] of [['python3', 'python'], ['js', 'javascript'], ['node', 'javascript'], ['ts', 'typescript']]) {
      const ctx = await interpreter.createCodeContext({ language: alias });
      assert.equal(ctx.language, language, alias);
    }
  });

  test('an invalid language is a 400, never silently python', async () => {
    const { client, interpreter } = openSandbox();
    // CodeInterpreter refuses it before sending anything ...
    await assert.rejects(interpreter.createCodeContext({ language: 'cobol' }), /Unsupported language/);
    // ... and the server refuses it when it gets it anyway.
    await assert.rejects(client.interpreter.createCodeContext({ language: 'cobol' }), (error) => {
      assert.equal(error.name, 'ValidationFailedError');
      assert.equal(error.code, 'VALIDATION_FAILED');
      assert.equal(error.httpStatus, 400);
      assert.equal(error.validationErrors[0].field, 'language');
      return true;
    });
    assert.deepEqual(await interpreter.listCodeContexts(), [], 'nothing was created');

    const ctx = await interpreter.createCodeContext({ language: 'python' });
    await rejectsWith(interpreter.runCode('1', { context: ctx, language: 'cobol' }), { code: 'VALIDATION_FAILED', httpStatus: 400 });
    await rejectsWith(interpreter.runCode('1', { context: ctx, language: 'javascript' }), { code: 'VALIDATION_FAILED', httpStatus: 400 });
    assert.equal(await text(interpreter, '6 * 7', { context: ctx, language: 'python' }), '42');
  });

  test('a cwd outside the sandbox is a 400', async () => {
    const { client } = openSandbox();
    await rejectsWith(client.interpreter.createCodeContext({ language: 'python', cwd: '/workspace/../../etc' }),
      { code: 'VALIDATION_FAILED', httpStatus: 400 });
    await rejectsWith(client.interpreter.createCodeContext({ language: 'python', cwd: 'relative' }),
      { code: 'VALIDATION_FAILED', httpStatus: 400 });
  });

  test('runCode without a context creates one default context per language and reuses it', async () => {
    const { interpreter } = openSandbox();
    await run(interpreter, 'remembered = 41', { language: 'python' });
    assert.equal(await text(interpreter, 'remembered + 1', { language: 'python' }), '42');
    await run(interpreter, 'var remembered = "js"', { language: 'javascript' });
    assert.equal(await text(interpreter, 'remembered', { language: 'javascript' }), "'js'");
    const listed = await interpreter.listCodeContexts();
    assert.deepEqual(listed.map((c) => c.language), ['python', 'javascript']);
  });
});

describe('state, isolation, files, cwd and environment', () => {
  test('state survives between runs of a context', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    await run(interpreter, 'import math; radius = 5', { context: ctx });
    assert.equal(await text(interpreter, 'math.pi * radius ** 2', { context: ctx }), '78.53981633974483');
  });

  test('contexts do not share variables', async () => {
    const { interpreter } = openSandbox();
    const a = await interpreter.createCodeContext({ language: 'python' });
    const b = await interpreter.createCodeContext({ language: 'python' });
    await run(interpreter, 'only_in_a = 1', { context: a });
    const { execution } = await run(interpreter, 'only_in_a', { context: b });
    assert.equal(execution.error?.name, 'NameError');
    assert.equal(await text(interpreter, 'only_in_a', { context: a }), '1');
  });

  test('contexts of a sandbox share its files; other sandboxes do not see them', async () => {
    const { interpreter } = openSandbox();
    const writer = await interpreter.createCodeContext({ language: 'python' });
    const reader = await interpreter.createCodeContext({ language: 'python' });
    const js = await interpreter.createCodeContext({ language: 'javascript' });
    await run(interpreter, 'with open("shared.txt", "w") as f:\n    f.write("from writer")', { context: writer });
    assert.equal(await text(interpreter, 'open("shared.txt").read()', { context: reader }), "'from writer'");
    assert.equal(await text(interpreter, 'require("fs").readFileSync("shared.txt", "utf8")', { context: js }), "'from writer'");

    const other = openSandbox().interpreter;
    const stranger = await other.createCodeContext({ language: 'python' });
    assert.equal(await text(other, 'import os; os.path.exists("shared.txt")', { context: stranger }), 'False');
  });

  test('cwd is honoured', async () => {
    const { interpreter } = openSandbox();
    const inner = await interpreter.createCodeContext({ language: 'python', cwd: '/workspace/sub' });
    assert.equal(inner.cwd, '/workspace/sub');
    const root = await interpreter.createCodeContext({ language: 'python' });
    await run(interpreter, 'open("inner.txt", "w").write("in sub")', { context: inner });
    assert.equal(await text(interpreter, 'open("sub/inner.txt").read()', { context: root }), "'in sub'");
    const js = await interpreter.createCodeContext({ language: 'javascript', cwd: '/workspace/sub' });
    assert.equal(await text(interpreter, 'require("fs").readFileSync("inner.txt", "utf8")', { context: js }), "'in sub'");
  });

  test('envVars of a context are its environment (python, javascript, typescript)', async () => {
    const { interpreter } = openSandbox();
    const envVars = { GREETING: 'hello from env', API_KEY: 'k-123' };
    const py = await interpreter.createCodeContext({ language: 'python', envVars });
    assert.equal(await text(interpreter, 'import os; os.environ["GREETING"] + "|" + os.environ["API_KEY"]', { context: py }),
      "'hello from env|k-123'");
    const js = await interpreter.createCodeContext({ language: 'javascript', envVars });
    assert.equal(await text(interpreter, 'process.env.GREETING', { context: js }), "'hello from env'");
    const ts = await interpreter.createCodeContext({ language: 'typescript', envVars });
    assert.equal(await text(interpreter, 'const key: string = process.env.API_KEY ?? ""; key', { context: ts }), "'k-123'");
    const plain = await interpreter.createCodeContext({ language: 'python' });
    assert.equal(await text(interpreter, 'import os; "GREETING" in os.environ', { context: plain }), 'False');
  });
});

describe('errors', () => {
  test('ZeroDivisionError: name, message, traceback; one onError, no result', async () => {
    const { interpreter } = openSandbox();
    const { execution, events } = await run(interpreter, 'x = 1 / 0', { language: 'python' });
    assert.equal(execution.error.name, 'ZeroDivisionError');
    assert.equal(execution.error.message, 'division by zero');
    assert.ok(Array.isArray(execution.error.traceback) && execution.error.traceback.length > 0);
    assert.ok(execution.error.traceback.some((line) => line.includes('ZeroDivisionError')), execution.error.traceback.join('\n'));
    assert.equal(events.filter((e) => e.type === 'error').length, 1);
    assert.deepEqual(execution.results, []);
  });

  test('NameError and SyntaxError are errors, and the context stays usable', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    const nameError = (await run(interpreter, 'undefined_name + 1', { context: ctx })).execution.error;
    assert.equal(nameError.name, 'NameError');
    assert.match(nameError.message, /name 'undefined_name' is not defined/);
    const syntaxError = (await run(interpreter, 'def broken(:\n    pass', { context: ctx })).execution.error;
    assert.equal(syntaxError.name, 'SyntaxError');
    assert.ok(syntaxError.traceback.length > 0);
    assert.equal(await text(interpreter, '1 + 1', { context: ctx }), '2');
  });

  test('JavaScript ReferenceError and a rejected promise', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'javascript' });
    const reference = (await run(interpreter, 'notDefinedAnywhere + 1', { context: ctx })).execution.error;
    assert.equal(reference.name, 'ReferenceError');
    assert.match(reference.message, /notDefinedAnywhere is not defined/);
    assert.ok(Array.isArray(reference.traceback));
    const rejected = (await run(interpreter, 'await Promise.reject(new Error("boom"))', { context: ctx })).execution.error;
    assert.equal(rejected.name, 'Error');
    assert.equal(rejected.message, 'boom');
    const typeError = (await run(interpreter, 'null.property', { context: ctx })).execution.error;
    assert.equal(typeError.name, 'TypeError');
    assert.equal(await text(interpreter, '2 + 3', { context: ctx }), '5');
  });

  test('output before an error is kept', async () => {
    const { interpreter } = openSandbox();
    const { execution, events } = await run(interpreter, 'print("partial")\nraise ValueError("bad value")', { language: 'python' });
    assert.deepEqual(execution.logs.stdout, ['partial\n']);
    assert.equal(execution.error.name, 'ValueError');
    assert.equal(execution.error.message, 'bad value');
    assert.deepEqual(events.map((e) => e.type), ['stdout', 'error']);
  });
});

describe('callbacks and streaming', () => {
  test('print("hello") is exactly one onStdout {text: "hello\\n", timestamp}', async () => {
    const { interpreter } = openSandbox();
    const { execution, events } = await run(interpreter, 'print("hello")', { language: 'python' });
    const stdout = events.filter((e) => e.type === 'stdout');
    assert.equal(stdout.length, 1);
    assert.equal(stdout[0].value.text, 'hello\n');
    assert.equal(typeof stdout[0].value.timestamp, 'number');
    assert.ok(Math.abs(stdout[0].value.timestamp - Date.now()) < 60_000, 'an epoch-millisecond timestamp');
    assert.deepEqual(execution.logs.stdout, ['hello\n']);
    assert.deepEqual(execution.logs.stderr, []);
    assert.deepEqual(execution.results, []);
    assert.equal(execution.error, undefined);
  });

  test('stderr goes to onStderr; console.log and console.error in JavaScript', async () => {
    const { interpreter } = openSandbox();
    const py = await run(interpreter, 'import sys\nprint("oops", file=sys.stderr)', { language: 'python' });
    assert.deepEqual(py.execution.logs.stderr, ['oops\n']);
    assert.deepEqual(py.events.map((e) => e.type), ['stderr']);
    const js = await run(interpreter, 'console.log("out"); console.error("err")', { language: 'javascript' });
    assert.deepEqual(js.execution.logs.stdout, ['out\n']);
    assert.deepEqual(js.execution.logs.stderr, ['err\n']);
  });

  test('events arrive in order: stdout, then results, then completion', async () => {
    const { interpreter } = openSandbox();
    const { execution, events } = await run(interpreter,
      'print("first")\nfrom IPython.display import display, HTML\ndisplay(HTML("<i>shown</i>"))\nprint("second")\n42',
      { language: 'python' });
    assert.deepEqual(events.map((e) => e.type), ['stdout', 'result', 'stdout', 'result']);
    assert.equal(events[0].value.text, 'first\n');
    assert.equal(events[1].value.html, '<i>shown</i>');
    assert.equal(events[2].value.text, 'second\n');
    assert.equal(events[3].value.text, '42');
    assert.equal(execution.results.length, 2);
  });

  test('output is streamed as it happens, not after the run', async () => {
    const { interpreter } = openSandbox();
    const { events, elapsed } = await run(interpreter,
      'import time\nprint("early", flush=True)\ntime.sleep(2)\nprint("late")', { language: 'python' });
    const early = events.find((e) => e.value.text === 'early\n');
    assert.ok(early, JSON.stringify(events));
    assert.ok(early.at < elapsed - 1500, `early output at ${early.at} ms of ${elapsed} ms`);
  });

  test('non-ASCII text arrives intact, also in large outputs', async () => {
    const { interpreter } = openSandbox();
    const small = await run(interpreter, 'print("héllo ✓ 😀 中文")', { language: 'python' });
    assert.deepEqual(small.execution.logs.stdout, ['héllo ✓ 😀 中文\n']);
    const large = await run(interpreter, 'print("é✓😀" * 20000)', { language: 'python' });
    assert.equal(large.execution.logs.stdout.join(''), `${'é✓😀'.repeat(20000)}\n`);
    assert.equal(await text(interpreter, '"ünïcødé ✓"', { language: 'python' }), "'ünïcødé ✓'");
  });

  test('timeout_ms interrupts a long run; the context stays usable', async () => {
    const { client, interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    await run(interpreter, 'kept = "still here"', { context: ctx });
    const errors = [];
    const started = Date.now();
    await client.interpreter.runCodeStream(ctx.id, 'import time\ntime.sleep(30)', undefined, {
      onError: (error) => errors.push(error),
    }, 1000);
    const elapsed = Date.now() - started;
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.ok(elapsed < 15_000, `interrupted after ${elapsed} ms`);
    assert.equal(await text(interpreter, 'kept', { context: ctx }), "'still here'");
  });

  test('a crashed interpreter is reported: state_reset arrives as stderr text, the context goes on', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    await run(interpreter, 'lost = 1', { context: ctx });
    const crash = await run(interpreter, 'import os\nos._exit(3)', { context: ctx });
    assert.ok(crash.execution.error, 'the crash is an error');
    const { execution } = await run(interpreter, 'print("alive")', { context: ctx });
    assert.ok(execution.logs.stderr.join('').includes('state_reset'), JSON.stringify(execution.logs));
    assert.deepEqual(execution.logs.stdout, ['alive\n']);
    assert.equal((await run(interpreter, 'lost', { context: ctx })).execution.error?.name, 'NameError');
  });
});

describe('rich results', () => {
  for (const [name, figure] of Object.entries(chartFigures)) {
    test(`chart: ${name}`, async () => {
      const { interpreter } = openSandbox();
      const { execution } = await run(interpreter, figure.code, { language: 'python' });
      assert.equal(execution.error, undefined, JSON.stringify(execution.error));
      const charts = execution.results.filter((r) => r.chart);
      assert.equal(charts.length, 1, `one figure: ${JSON.stringify(execution.results.map((r) => r.formats()))}`);
      const [result] = charts;
      assert.deepEqual(withoutTicks(result.chart), figure.chart);
      assert.ok(result.png && Buffer.from(result.png, 'base64').subarray(1, 4).toString() === 'PNG', 'a PNG image');
      assert.match(result.text, /^<Figure size \d+x\d+ with \d+ Axes>$/);
      for (const axis of ['x', 'y']) {
        const ticks = result.chart[`${axis}_ticks`];
        if (ticks !== undefined) {
          assert.ok(Array.isArray(ticks) && ticks.length > 0, `${axis} ticks`);
          assert.equal(result.chart[`${axis}_tick_labels`].length, ticks.length);
        }
      }
      if (name === 'line') {
        assert.ok(result.chart.x_ticks.every((tick) => /^2024-01-0\dT\d\d:\d\d:\d\d/.test(tick)), result.chart.x_ticks.join());
      }
    });
  }

  test('a pandas DataFrame gives text, html and data', async () => {
    const { interpreter } = openSandbox();
    const { execution } = await run(interpreter,
      "import pandas as pd\npd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']})", { language: 'python' });
    const [result] = execution.results;
    assert.match(result.text, /a\s+b/);
    assert.match(result.html, /<table/);
    assert.deepEqual(result.data, { a: [1, 2, 3], b: ['x', 'y', 'z'] });
    assert.deepEqual(result.formats(), ['text', 'html']);
  });

  test('display() of IPython objects gives their formats, before the main result', async () => {
    const { interpreter } = openSandbox();
    const { execution } = await run(interpreter, [
      'from IPython.display import display, HTML, Markdown, Latex, JSON, SVG',
      "display(HTML('<b>bold</b>'))",
      "display(Markdown('**md**'))",
      "display(Latex(r'$\\alpha^2$'))",
      "display(JSON({'a': [1, 2], 'b': None}))",
      "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"></svg>'))",
      "'the end'",
    ].join('\n'), { language: 'python' });
    const results = execution.results;
    assert.equal(results.length, 6, JSON.stringify(results.map((r) => r.formats())));
    assert.equal(results[0].html, '<b>bold</b>');
    assert.equal(results[1].markdown, '**md**');
    assert.equal(results[2].latex, '$\\alpha^2$');
    assert.deepEqual(results[3].json, { a: [1, 2], b: null });
    assert.match(results[4].svg, /^<svg/);
    assert.equal(results[5].text, "'the end'");
  });

  test('objects with _repr_html_ are rendered as html', async () => {
    const { interpreter } = openSandbox();
    const { execution } = await run(interpreter,
      'class Rich:\n    def _repr_html_(self):\n        return "<p>rich</p>"\nRich()', { language: 'python' });
    assert.equal(execution.results[0].html, '<p>rich</p>');
  });
});

describe('javascript and typescript', () => {
  test('top-level await and a returned promise', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'javascript' });
    assert.equal(await text(interpreter, 'await new Promise((r) => setTimeout(r, 50)); 7', { context: ctx }), '7');
    assert.equal(await text(interpreter, 'Promise.resolve(8)', { context: ctx }), '8');
    await run(interpreter, 'const fetched = await Promise.resolve({ n: 3 })', { context: ctx });
    assert.equal(await text(interpreter, 'fetched.n * 2', { context: ctx }), '6');
  });

  test('const and let can be declared again in a later run', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'javascript' });
    await run(interpreter, 'const a = 1; let b = 2', { context: ctx });
    const again = await run(interpreter, 'const a = 10; let b = 20; a + b', { context: ctx });
    assert.equal(again.execution.error, undefined, JSON.stringify(again.execution.error));
    assert.equal(again.execution.results[0].text, '30');
  });

  test('import and require of Node built-ins', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'javascript' });
    assert.equal(await text(interpreter, 'import os from "os"\nos.platform()', { context: ctx }), `'${process.platform}'`);
    assert.equal(await text(interpreter, "import { basename } from 'node:path'\nbasename('/x/c.txt')", { context: ctx }), "'c.txt'");
    assert.equal(await text(interpreter, 'const path = await import("node:path"); path.extname("a.md")', { context: ctx }), "'.md'");
    assert.equal(await text(interpreter, 'require("node:util").format("%d+%d", 1, 2)', { context: ctx }), "'1+2'");
  });

  test('TypeScript: annotations, interfaces, generics, top-level await, imports', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'typescript' });
    assert.equal(await text(interpreter, [
      'interface Person { name: string; age: number }',
      'function first<T>(items: T[]): T { return items[0]; }',
      'const people: Person[] = [{ name: "Ada", age: 36 }];',
      'first<Person>(people).name',
    ].join('\n'), { context: ctx }), "'Ada'");
    assert.equal(await text(interpreter, 'const wait: number = await new Promise<number>((r) => r(5)); wait * 2', { context: ctx }), '10');
    assert.equal(await text(interpreter, 'import { join } from "node:path"\njoin("a", "b")', { context: ctx }), "'a/b'");
    assert.equal(await text(interpreter, 'people.length', { context: ctx }), '1');
  });
});

describe('concurrency', () => {
  test('20 concurrent runs on one context are serialized', async () => {
    const { interpreter } = openSandbox();
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    await run(interpreter, 'counter = 0', { context: ctx });
    const texts = await Promise.all(Array.from({ length: 20 }, () =>
      text(interpreter, 'import time\nseen = counter\ntime.sleep(0.01)\ncounter = seen + 1\ncounter', { context: ctx })));
    assert.deepEqual(texts.map(Number).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('different contexts run in parallel', async () => {
    const { interpreter } = openSandbox();
    const contexts = await Promise.all([1, 2, 3].map(() => interpreter.createCodeContext({ language: 'python' })));
    const started = Date.now();
    await Promise.all(contexts.map((context) => text(interpreter, 'import time; time.sleep(1.5); 1', { context })));
    assert.ok(Date.now() - started < 4000, `three 1.5 s runs took ${Date.now() - started} ms`);
  });
});

describe('the seed examples of the Cloudflare code interpreter docs, verbatim', () => {
  test('createCodeContext + runCode: 78.53981633974483', async () => {
    const sandbox = openSandbox().interpreter;
    const ctx = await sandbox.createCodeContext({ language: 'python' });
    await sandbox.runCode('import math; radius = 5', { context: ctx });
    const result = await sandbox.runCode('math.pi * radius ** 2', { context: ctx });
    assert.equal(result.results[0].text, '78.53981633974483');
  });

  test('default context: Sum example', async () => {
    const sandbox = openSandbox().interpreter;
    const result = await sandbox.runCode(`
data = [1, 2, 3, 4, 5]
print(f"Sum: {sum(data)}")
sum(data)
`, { language: 'python' });
    // The docs abbreviate logs.stdout as ["Sum: 15"]: output chunks keep their newline.
    assert.deepEqual(result.logs.stdout, ['Sum: 15\n']);
    assert.equal(result.results[0].text, '15');
  });

  test('error handling: ZeroDivisionError', async () => {
    const sandbox = openSandbox().interpreter;
    const result = await sandbox.runCode('x = 1 / 0', { language: 'python' });
    assert.ok(result.error);
    assert.equal(result.error.name, 'ZeroDivisionError');
    // The docs print error.value; the client's ExecutionError names that field `message`.
    assert.equal(result.error.message, 'division by zero');
    assert.ok(Array.isArray(result.error.traceback) && result.error.traceback.length > 0);
  });

  test('JavaScript: const x / let y in separate runs, then x + y is 30', async () => {
    const sandbox = openSandbox().interpreter;
    const ctx = await sandbox.createCodeContext({ language: 'javascript' });
    await sandbox.runCode('const x = 10', { context: ctx });
    await sandbox.runCode('let y = 20', { context: ctx });
    const result = await sandbox.runCode('x + y', { context: ctx });
    assert.equal(result.results[0].text, '30');
  });

  test('JavaScript: data persists across executions', async () => {
    const sandbox = openSandbox().interpreter;
    const ctx = await sandbox.createCodeContext({ language: 'javascript' });
    await sandbox.runCode(`
const response = await Promise.resolve({ json: async () => ({ items: [1, 2] }) });
const data = await response.json();
`, { context: ctx });
    const result = await sandbox.runCode('console.log(data)', { context: ctx });
    assert.deepEqual(result.logs.stdout, ['{ items: [ 1, 2 ] }\n']);
  });

  test('listCodeContexts and deleteCodeContext', async () => {
    const sandbox = openSandbox().interpreter;
    const ctx = await sandbox.createCodeContext({ language: 'python' });
    await sandbox.runCode('print("Hello")', { context: ctx });
    const contexts = await sandbox.listCodeContexts();
    assert.equal(`Found ${contexts.length} contexts`, 'Found 1 contexts');
    await sandbox.deleteCodeContext(ctx.id);
    assert.equal((await sandbox.listCodeContexts()).length, 0);
  });

  test('charts (matplotlib): results[0].png', async () => {
    const sandbox = openSandbox().interpreter;
    const result = await sandbox.runCode(`
import matplotlib.pyplot as plt
import numpy as np

x = np.linspace(0, 10, 100)
plt.plot(x, np.sin(x))
plt.show()
`, { language: 'python' });
    assert.ok(result.results[0]?.png);
    const imageBuffer = Buffer.from(result.results[0].png, 'base64');
    assert.deepEqual([...imageBuffer.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(result.results[0].chart.type, 'line');
    assert.equal(result.results[0].chart.elements[0].points.length, 100);
  });

  test('tables (pandas): results[0].html', async () => {
    const sandbox = openSandbox().interpreter;
    const result = await sandbox.runCode(`
import pandas as pd
df = pd.DataFrame({'Name': ['Alice', 'Bob'], 'Age': [25, 30]})
df
`, { language: 'python' });
    assert.ok(result.results[0]?.html);
    assert.match(result.results[0].html, /<table[\s\S]*Alice[\s\S]*Bob[\s\S]*<\/table>/);
    assert.deepEqual(result.results[0].data, { Name: ['Alice', 'Bob'], Age: [25, 30] });
  });
});

// A gateway with API keys (ConformanceTest binds one beside the open one): CODESHARD_KEYED_URL, a valid key of one
// tenant (CODESHARD_KEY) and one of another (CODESHARD_OTHER_KEY), sent as `Authorization: Bearer` through the
// client's defaultHeaders.
describe('with API keys', { skip: !process.env.CODESHARD_KEYED_URL && 'CODESHARD_KEYED_URL is not set' }, () => {
  function keyedSandbox(key, id = uniqueId('cfk')) {
    const client = new SandboxClient({
      baseUrl: process.env.CODESHARD_KEYED_URL,
      defaultHeaders: { 'X-Sandbox-Id': id, Authorization: `Bearer ${key}` },
    });
    return { id, interpreter: new CodeInterpreter(client.interpreter) };
  }

  test('a wrong key is refused with 401', async () => {
    const { interpreter } = keyedSandbox('wrong-key');
    await rejectsWith(interpreter.createCodeContext({ language: 'python' }), { httpStatus: 401, code: 'UNAUTHORIZED' });
    await rejectsWith(interpreter.runCode('1 + 1', { language: 'python' }), { httpStatus: 401 });
  });

  test('the right key creates, runs, lists and deletes', async () => {
    const { interpreter } = keyedSandbox(process.env.CODESHARD_KEY);
    const ctx = await interpreter.createCodeContext({ language: 'python' });
    assert.equal(await text(interpreter, 'import math; radius = 5', { context: ctx }), undefined);
    assert.equal(await text(interpreter, 'math.pi * radius ** 2', { context: ctx }), '78.53981633974483');
    assert.ok((await interpreter.listCodeContexts()).some((c) => c.id === ctx.id));
    await interpreter.deleteCodeContext(ctx.id);
    assert.ok(!(await interpreter.listCodeContexts()).some((c) => c.id === ctx.id));
  });

  test('another tenant with the same sandbox id sees none of its contexts: 404 CONTEXT_NOT_FOUND', async () => {
    const mine = keyedSandbox(process.env.CODESHARD_KEY);
    const theirs = keyedSandbox(process.env.CODESHARD_OTHER_KEY, mine.id);
    const ctx = await mine.interpreter.createCodeContext({ language: 'python' });
    assert.ok(!(await theirs.interpreter.listCodeContexts()).some((c) => c.id === ctx.id));
    const notFound = { name: 'ContextNotFoundError', code: 'CONTEXT_NOT_FOUND', httpStatus: 404 };
    await rejectsWith(theirs.interpreter.runCode('1', { context: ctx }), notFound);
    await rejectsWith(theirs.interpreter.deleteCodeContext(ctx.id), notFound);
    assert.equal(await text(mine.interpreter, '1 + 1', { context: ctx }), '2');
  });
});
