// `init`: turns the generic pooled process into one code context.
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { loadTypeScript } from './typescript.mjs';

const LANGUAGES = new Set(['javascript', 'typescript']);

// Returns the context's settings for executeCell; throws when the context cannot be set up.
export async function initContext({ language, cwd, env, maxOutputBytes, user, nice }) {
  if (!LANGUAGES.has(language)) throw new Error(`unsupported language: ${language}`);
  // The main thread, where cells run, and what it starts: user code yields the CPU to the node.
  if (nice) os.setPriority(Math.min(19, os.getPriority() + nice));
  if (user) becomeSandboxUser(user);
  try {
    // Created here, as the sandbox's user, so a path the user controls is never followed as root.
    fs.mkdirSync(cwd, { recursive: true });
    process.chdir(cwd);
  } catch (error) {
    throw new Error(`cannot use ${cwd} as working directory: ${error.code ?? error.message}`);
  }
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
  // Packages installed in the context's directory resolve, like a script placed there.
  const require = createRequire(path.join(process.cwd(), '/'));
  globalThis.require = require;
  exposeBuiltins(require);
  if (language === 'typescript') await loadTypeScript();
  return { language, maxOutputBytes: maxOutputBytes ?? Infinity };
}

// Drops root for the sandbox's own user (docs/isolation.md), before any user code runs.
function becomeSandboxUser({ uid, gid }) {
  process.setgroups([]);
  process.setgid(gid);
  process.setuid(uid);
}

// As in the Node REPL, `fs.readFileSync(...)` or `child_process.execSync(...)` work without a
// require: each built-in module is a global loaded on first use. Assigning the name (a cell's
// `const fs = ...`) replaces the getter with a plain value.
function exposeBuiltins(require) {
  for (const name of builtinModules) {
    if (name.startsWith('_') || name.includes('/') || Object.hasOwn(globalThis, name)) continue;
    const settle = (value) =>
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(globalThis, name, {
      get() {
        const module = require(name);
        settle(module);
        return module;
      },
      set: settle,
      configurable: true,
      enumerable: false,
    });
  }
}
