// Lets the real @cloudflare/sandbox client run in plain Node (`node --import ./register.mjs ...`).
//
// The package is written for the Workers runtime, and two things stop Node from loading it:
//  * it imports the Workers-only module `cloudflare:workers` (RpcTarget and tracing in
//    @cloudflare/sandbox, DurableObject and WorkerEntrypoint in @cloudflare/containers);
//    the route-based client we drive (SandboxClient -> InterpreterClient) uses none of them
//    at run time, so empty stand-ins are enough: `tracing` without `enterSpan` is what the
//    client's tracing helper already treats as "no tracing available";
//  * @cloudflare/containers' dist imports its own files without extensions
//    (`export ... from './lib/container'`), which bundlers accept and Node's ESM resolver refuses.
//
// This file is both the preload (it registers itself) and the hooks module it registers
// (loaded again with `?hooks` in Node's loader thread).
import { register } from 'node:module';

const STUB_URL = 'codeshard-stub:cloudflare-workers';
const STUB_SOURCE = `
export class RpcTarget {}
export class DurableObject {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export class WorkerEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export const env = {};
export const tracing = {};
export default { RpcTarget, DurableObject, WorkerEntrypoint, env, tracing };
`;

if (new URL(import.meta.url).search !== '?hooks') {
  register(new URL('?hooks', import.meta.url));
}

/** Relative imports written without an extension, as bundlers allow: `./lib/container`. */
function isExtensionless(specifier) {
  return (specifier.startsWith('./') || specifier.startsWith('../')) && !/\.[cm]?js$|\.json$/.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'cloudflare:workers') {
    return { url: STUB_URL, shortCircuit: true };
  }
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isExtensionless(specifier)) {
      throw error;
    }
    for (const candidate of [`${specifier}.js`, `${specifier}/index.js`]) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // try the next form
      }
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (url === STUB_URL) {
    return { format: 'module', source: STUB_SOURCE, shortCircuit: true };
  }
  return nextLoad(url, context);
}
