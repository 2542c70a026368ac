package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import io.codeshard.protocol.ResultBundle;
import org.junit.jupiter.api.Test;

/**
 * TypeScript cells in a real Node interpreter: sucrase strips the types per cell, the JavaScript
 * runtime's semantics (globals across cells, top-level await, imports) carry over.
 */
class TypeScriptRuntimeTest {

    private static Interpreter ts() {
        return SharedRuntime.open(Language.TYPESCRIPT);
    }

    private static String mainText(Interpreter interpreter, String code) {
        ResultBundle main = Cell.run(interpreter, code).ok().main();
        assertNotNull(main, "no main result for: " + code);
        return main.text();
    }

    @Test
    void typeAnnotationsAreStripped() {
        try (Interpreter interpreter = ts()) {
            assertEquals("10", mainText(interpreter, "const n: number = 5; n * 2"));
            assertEquals("'ab'", mainText(interpreter, "function cat(a: string, b?: string): string { return a + (b ?? '') }\ncat('a', 'b')"));
        }
    }

    @Test
    void interfacesAndGenericFunctions() {
        try (Interpreter interpreter = ts()) {
            Cell.run(interpreter, "interface Named { name: string; age?: number }").ok();
            assertEquals("'a'", mainText(interpreter, "function id<T>(v: T): T { return v }; id<string>(\"a\")"));
            assertEquals("'Ada'", mainText(interpreter, "const who: Named = { name: 'Ada' }; id<Named>(who).name"));
        }
    }

    @Test
    void anEnumDeclaredInOneCellIsUsedInTheNext() {
        try (Interpreter interpreter = ts()) {
            Cell.run(interpreter, "enum Color { Red, Green }").ok();
            assertEquals("1", mainText(interpreter, "Color.Green"));
            assertEquals("'Red'", mainText(interpreter, "Color[0]"));
        }
    }

    @Test
    void asCastsAndTypeAliases() {
        try (Interpreter interpreter = ts()) {
            assertEquals("3", mainText(interpreter, "const s = 'abc' as unknown as string; (s as string).length"));
            Cell.run(interpreter, "type Point = { x: number; y: number }\ntype Id = string | number").ok();
            assertEquals("7", mainText(interpreter, "const p: Point = { x: 3, y: 4 }; const i: Id = 1; p.x + p.y"));
            assertEquals("'5'", mainText(interpreter, "String(<number>(5 as any))"));
        }
    }

    @Test
    void classesWithTypedFieldsPersistAcrossCells() {
        try (Interpreter interpreter = ts()) {
            Cell.run(interpreter, String.join("\n",
                    "class Account {",
                    "  private balance: number = 0;",
                    "  constructor(public readonly owner: string) {}",
                    "  deposit(amount: number): this { this.balance += amount; return this }",
                    "  get total(): number { return this.balance }",
                    "}")).ok();
            Cell.run(interpreter, "const acc: Account = new Account('ada').deposit(40).deposit(2)").ok();
            assertEquals("42", mainText(interpreter, "acc.total"));
            assertEquals("'ada'", mainText(interpreter, "acc.owner"));
        }
    }

    @Test
    void aTypeScriptSyntaxErrorIsASyntaxErrorAndTheContextStillWorks() {
        try (Interpreter interpreter = ts()) {
            Cell.run(interpreter, "const kept: string = 'here'").ok();
            Cell cell = Cell.run(interpreter, "const broken: = 1");
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, "a syntax error must not succeed: " + cell.events());
            assertEquals("SyntaxError", error.name());
            assertEquals("const broken: = 1", error.traceback().get(1));
            assertNull(cell.main());
            assertEquals("'here'", mainText(interpreter, "kept"));
        }
    }

    @Test
    void aConstMayBeRedeclaredAcrossCells() {
        try (Interpreter interpreter = ts()) {
            Cell.run(interpreter, "const v: number = 1").ok();
            Cell.run(interpreter, "const v: string = 'two'").ok();
            assertEquals("'two'", mainText(interpreter, "v"));
        }
    }

    @Test
    void topLevelAwaitWorks() {
        try (Interpreter interpreter = ts()) {
            assertEquals("7", mainText(interpreter,
                    "const wait = (ms: number): Promise<number> => new Promise<number>(r => setTimeout(() => r(7), ms));\nawait wait(50)"));
        }
    }

    @Test
    void staticImportOfABuiltin() {
        try (Interpreter interpreter = ts()) {
            Cell.run(interpreter, "import fs from \"fs\"").ok();
            assertEquals("true", mainText(interpreter, "const exists: boolean = fs.existsSync('.'); exists"));
            assertEquals("'function'", mainText(interpreter, "import { join } from 'node:path'\ntypeof join"));
        }
    }

    @Test
    void runtimeErrorsKeepTheirNames() {
        try (Interpreter interpreter = ts()) {
            ExecutionEvent.Error error = Cell.run(interpreter, "const u: any = undefined;\nu.field").error();
            assertEquals("TypeError", error.name());
            assertTrue(error.traceback().stream().anyMatch(l -> l.contains("<cell-1>:2:")), error.traceback().toString());
        }
    }
}
