// TypeScript cells -> JavaScript, with sucrase: it strips types without type checking, keeps line
// numbers, and is the fastest transpiler measured here (0.1 ms per cell). Sucrase drops namespaces
// that hold values (`namespace N { export const a = 1 }`); everything else a cell uses works.
let sucrase = null;

// Loaded at init of a TypeScript context only: ~25 ms and ~5 MiB that JavaScript contexts (and the
// generic processes waiting in the pool) should not pay.
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
