// TypeScript cells -> JavaScript, with sucrase: it strips types without type checking, keeps line
// numbers, and is the fastest transpiler measured here (0.1 ms per cell). Sucrase drops namespaces
// that hold values (`namespace N { export const a = 1 }`); everything else a cell uses works.
let sucrase = null;

// Loaded by every process while it waits in the pool (runtime.mjs), so that creating a TypeScript
// context does not wait ~25 ms for it; init of a TypeScript context awaits it in case it is not done.
export async function loadTypeScript() {
  sucrase ??= await import('sucrase');
}

// Throws a SyntaxError with `loc` for code sucrase cannot parse.
export function transpile(code) {
  return sucrase.transform(code, {
    transforms: ['typescript'],
    // An import only later cells use must stay (sucrase would elide it); `import type` still goes.
    keepUnusedImports: true,
    disableESTransforms: true,
  }).code;
}
