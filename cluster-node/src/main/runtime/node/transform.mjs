// Turns a cell into a script with Node REPL semantics (and a little more):
//   * every name the cell declares at top level (var/let/const, function, class, import) becomes a
//     `var` of the global object, so later cells see it and may declare it again;
//   * declarations become assignments to those globals (destructuring included);
//   * static imports become dynamic imports;
//   * the body runs in an async arrow so top-level `await` works, and the last expression statement is
//     returned (a returned promise is awaited by the caller).
// Edits are made in place by source range and the prefix sits on line 1, so line numbers of the cell
// stay those of the user's code; `layout` lets errors.mjs map columns back as well.
import { parse } from 'acorn';

const PARSE_OPTIONS = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowHashBang: true,
};

const LINE_BREAK = /\r\n?|[\n\u2028\u2029]/g;
const HAS_LINE_BREAK = /[\r\n\u2028\u2029]/;

// Returns {code, layout}; throws acorn's SyntaxError (with `loc`) for invalid code.
export function transformCell(source) {
  // `{a: 1}` parses as a block, but a REPL user means an object: like the REPL, try that first.
  if (/^\s*{/.test(source) && /}\s*$/.test(source)) {
    try {
      return rewrite(`(${source})`, 1);
    } catch {
      // Not an object literal after all.
    }
  }
  return rewrite(source, 0);
}

// `shift`: characters added in front of the user's code on line 1.
//
// layout: {prefixLength, shift, lineCount, edits: [[line, column, delta, length], ...]}, the
// single-line edits in source order (column 0-based in `source`, delta = length added, length = of
// the inserted text); edits spanning lines (imports written over several) are left out, so columns
// after them on their lines may be off.
function rewrite(source, shift) {
  const cell = new CellRewrite(source);
  const program = parse(source, PARSE_OPTIONS);
  // A hashbang is only valid at the very start of a script, and the prefix goes in front of it:
  // make it the comment it is (same length, so columns do not move).
  if (source.startsWith('#!')) cell.replace(0, 2, '//');
  for (const statement of program.body) cell.statement(statement, true);
  const last = program.body.at(-1);
  if (last?.type === 'ExpressionStatement') {
    // The statement's range, not the expression's: that one excludes parentheses, as in `({a: 1})`.
    cell.insert(last.start, 'return (');
    cell.insert(source[last.end - 1] === ';' ? last.end - 1 : last.end, ')');
  }
  const hoisted = cell.names.size ? `var ${[...cell.names].join(', ')}; ` : '';
  // Function declarations stay where they are (hoisted within the cell); this publishes them at once.
  const published = cell.functions.map((name) => `globalThis.${name} = ${name}; `).join('');
  const prefix = `${hoisted}(async () => { ${published}`;
  const { body, edits, lineCount } = cell.apply();
  return {
    code: `${prefix}${body}\n})()`,
    layout: { prefixLength: prefix.length, shift, lineCount, edits },
  };
}

class CellRewrite {
  names = new Set();
  functions = [];
  #source;
  #edits = [];

  constructor(source) {
    this.#source = source;
  }

  insert(at, text) {
    this.#edits.push({ start: at, end: at, text });
  }

  replace(start, end, text) {
    this.#edits.push({ start, end, text });
  }

  apply() {
    const source = this.#source;
    const lineStarts = [0];
    for (const match of source.matchAll(LINE_BREAK)) lineStarts.push(match.index + match[0].length);
    // Stable sort: inserts at one position keep the order they were made in.
    const edits = this.#edits.sort((a, b) => a.start - b.start);
    const layout = [];
    let body = '';
    let at = 0;
    let line = 0;
    for (const { start, end, text } of edits) {
      body += source.slice(at, start) + text;
      at = end;
      while (line + 1 < lineStarts.length && lineStarts[line + 1] <= start) line += 1;
      if (!HAS_LINE_BREAK.test(text) && !HAS_LINE_BREAK.test(source.slice(start, end))) {
        layout.push([line + 1, start - lineStarts[line], text.length - (end - start), text.length]);
      }
    }
    return { body: body + source.slice(at), edits: layout, lineCount: lineStarts.length };
  }

  // `var` declarations anywhere outside functions are global in a script, so nested statements are
  // visited too; let/const/class/function only matter at top level.
  statement(node, topLevel) {
    switch (node.type) {
      case 'VariableDeclaration':
        if (topLevel || node.kind === 'var') this.#declarationStatement(node);
        break;
      case 'FunctionDeclaration':
        if (topLevel) {
          this.#declare(node.id);
          this.functions.push(node.id.name);
        }
        break;
      case 'ClassDeclaration':
        if (topLevel) {
          this.#declare(node.id);
          this.insert(node.start, `void (${node.id.name} = `);
          this.insert(node.end, ');');
        }
        break;
      case 'ImportDeclaration':
        this.#importDeclaration(node);
        break;
      case 'ExportNamedDeclaration':
        if (node.declaration) {
          this.replace(node.start, node.declaration.start, '');
          this.statement(node.declaration, topLevel);
        }
        break;
      case 'BlockStatement':
        for (const child of node.body) this.statement(child, false);
        break;
      case 'IfStatement':
        this.statement(node.consequent, false);
        if (node.alternate) this.statement(node.alternate, false);
        break;
      case 'ForStatement':
        if (node.init?.type === 'VariableDeclaration' && node.init.kind === 'var') this.#declarationHead(node.init);
        this.statement(node.body, false);
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        if (node.left.type === 'VariableDeclaration' && node.left.kind === 'var') this.#declarationHead(node.left);
        this.statement(node.body, false);
        break;
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'LabeledStatement':
      case 'WithStatement':
        this.statement(node.body, false);
        break;
      case 'TryStatement':
        this.statement(node.block, false);
        if (node.handler) this.statement(node.handler.body, false);
        if (node.finalizer) this.statement(node.finalizer, false);
        break;
      case 'SwitchStatement':
        for (const branch of node.cases) for (const child of branch.consequent) this.statement(child, false);
        break;
    }
  }

  // `const {a, b: [c]} = o, d;` -> `void ({a, b: [c]} = o, d = void 0);`. `void (` keeps a statement
  // from starting with `{` and stays one statement after `if (x)`; the `;` is added when the source
  // relied on ASI, which a closing parenthesis would otherwise defeat.
  #declarationStatement(node) {
    const declarators = node.declarations;
    this.replace(node.start, declarators[0].start, 'void (');
    for (const declarator of declarators) {
      this.#declare(declarator.id);
      // A redeclared `let x;` is undefined again, as in the REPL; a `var x;` keeps its value.
      if (!declarator.init && node.kind !== 'var') this.insert(declarator.id.end, ' = void 0');
    }
    this.insert(declarators.at(-1).end, this.#source[node.end - 1] === ';' ? ')' : ');');
  }

  // `for (var i = 0; ...)` / `for (var x of xs)`: dropping the keyword leaves a valid loop head.
  #declarationHead(node) {
    this.replace(node.start, node.declarations[0].start, '');
    for (const declarator of node.declarations) this.#declare(declarator.id);
  }

  // `import d, {a as b} from "m"` -> `void ({ default: d, a: b } = await import("m"));`, keeping the
  // statement's line breaks so later lines do not move.
  #importDeclaration(node) {
    const slice = (part) => this.#source.slice(part.start, part.end);
    const attributes = node.attributes?.length ? `, { with: { ${node.attributes.map(slice).join(', ')} } }` : '';
    const load = `await import(${slice(node.source)}${attributes})`;
    let namespace = null;
    const bindings = [];
    for (const specifier of node.specifiers) {
      this.#declare(specifier.local);
      if (specifier.type === 'ImportNamespaceSpecifier') namespace = specifier.local.name;
      else if (specifier.type === 'ImportDefaultSpecifier') bindings.push(`default: ${specifier.local.name}`);
      else bindings.push(`${slice(specifier.imported)}: ${specifier.local.name}`);
    }
    const pattern = `{ ${bindings.join(', ')} }`;
    let text;
    if (namespace) text = `void (${namespace} = ${load}${bindings.length ? `, ${pattern} = ${namespace}` : ''});`;
    // Named imports also find what a CommonJS module puts on its exports object, which Node's static
    // analysis of CommonJS misses (`module.exports = { f: () => 1 }`), as TypeScript's interop does.
    else if (bindings.length) text = `void (${pattern} = (m => ({ ...m.default, ...m }))(${load}));`;
    else text = `void (${load});`;
    const lineBreaks = slice(node).match(LINE_BREAK)?.length ?? 0;
    this.replace(node.start, node.end, text + '\n'.repeat(lineBreaks));
  }

  // Adds every name bound by a binding pattern.
  #declare(pattern) {
    switch (pattern.type) {
      case 'Identifier':
        this.names.add(pattern.name);
        break;
      case 'ObjectPattern':
        for (const property of pattern.properties) this.#declare(property.type === 'RestElement' ? property : property.value);
        break;
      case 'ArrayPattern':
        for (const element of pattern.elements) if (element) this.#declare(element);
        break;
      case 'RestElement':
        this.#declare(pattern.argument);
        break;
      case 'AssignmentPattern':
        this.#declare(pattern.left);
        break;
    }
  }
}
