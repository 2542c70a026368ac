package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import io.codeshard.protocol.ResultBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the Node runtime does with real JavaScript cells in a real interpreter process: REPL-like
 * globals across cells, top-level await, results, console output, modules, errors and interrupts.
 * (Ordering, counts, cwd/env, streaming, timeouts, process.exit and output caps are covered by
 * {@link ExecutionContractTest} and {@link FailureContainmentTest}.)
 */
class JavaScriptRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Interpreter js() {
        return SharedRuntime.open(Language.JAVASCRIPT);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static String mainText(Interpreter interpreter, String code) {
        ResultBundle main = Cell.run(interpreter, code).ok().main();
        assertNotNull(main, "no main result for: " + code);
        return main.text();
    }

    private static void assertNoRuntimeFrames(ExecutionEvent.Error error) {
        String runtimeDir = SharedRuntime.host().config().runtimeDir().toString();
        for (String line : error.traceback()) {
            assertFalse(line.contains(runtimeDir), "runtime path in traceback: " + error.traceback());
            assertFalse(line.contains("runtime.mjs"), "runtime frame in traceback: " + error.traceback());
            assertFalse(line.contains("execute.mjs"), "runtime frame in traceback: " + error.traceback());
            assertFalse(line.contains("node:internal"), "node internals in traceback: " + error.traceback());
            assertFalse(line.contains("node:vm"), "vm frame in traceback: " + error.traceback());
            assertFalse(line.contains("\u001b"), "ANSI escape in traceback: " + error.traceback());
        }
    }

    // ---------------------------------------------------------------- globals across cells

    @Test
    void seedConstAndLetOfEarlierCellsAddUp() {
        try (Interpreter interpreter = js()) {
            assertNull(Cell.run(interpreter, "const x = 10").ok().main());
            assertNull(Cell.run(interpreter, "let y = 20").ok().main());
            Cell sum = Cell.run(interpreter, "x + y").ok();
            assertEquals("30", sum.main().text());
            assertEquals(1, sum.results().size());
        }
    }

    @Test
    void constAndLetMayBeRedeclaredInALaterCell() {
        try (Interpreter interpreter = js()) {
            Cell.run(interpreter, "const x = 1").ok();
            Cell.run(interpreter, "let y = 'a'").ok();
            Cell.run(interpreter, "const x = 2").ok();
            Cell.run(interpreter, "let y = 'b'").ok();
            assertEquals("[ 2, 'b' ]", mainText(interpreter, "[x, y]"));
            // A redeclared `let` without initializer is undefined again (REPL semantics).
            Cell.run(interpreter, "let y").ok();
            assertEquals("'undefined'", mainText(interpreter, "typeof y"));
        }
    }

    @Test
    void varFunctionsAndClassesPersistAcrossCells() {
        try (Interpreter interpreter = js()) {
            Cell.run(interpreter, "var counter = 41").ok();
            Cell.run(interpreter, "function inc(n) { return n + 1 }").ok();
            Cell.run(interpreter, "class Box { constructor(v) { this.v = v } get() { return this.v } }").ok();
            assertEquals("42", mainText(interpreter, "inc(counter)"));
            assertEquals("'boxed'", mainText(interpreter, "new Box('boxed').get()"));
            assertEquals("true", mainText(interpreter, "new Box(1) instanceof Box"));
            // Functions of an earlier cell see globals declared later.
            Cell.run(interpreter, "function readLater() { return later }").ok();
            Cell.run(interpreter, "const later = 'seen'").ok();
            assertEquals("'seen'", mainText(interpreter, "readLater()"));
        }
    }

    // ---------------------------------------------------------------- await and results

    @Test
    void topLevelAwaitWorks() {
        try (Interpreter interpreter = js()) {
            assertEquals("7", mainText(interpreter, "await new Promise(r => setTimeout(r, 50)); 7"));
        }
    }

    @Test
    void aReturnedPromiseIsAwaited() {
        try (Interpreter interpreter = js()) {
            assertEquals("5", mainText(interpreter, "Promise.resolve(5)"));
        }
    }

    @Test
    void theLastExpressionIsShownByUtilInspect() {
        try (Interpreter interpreter = js()) {
            Cell string = Cell.run(interpreter, "'abc'").ok();
            assertEquals("'abc'", string.main().text());
            assertTrue(string.main().json() == null, "a string is not sent as json: " + string.main());
            assertEquals("42", mainText(interpreter, "40 + 2"));
            assertEquals("null", mainText(interpreter, "null"));
            assertEquals("true", mainText(interpreter, "1 < 2"));
            assertEquals("Map(1) { 'k' => 1 }", mainText(interpreter, "new Map([['k', 1]])"));
        }
    }

    @Test
    void arraysAndPlainObjectsAreAlsoSentAsJson() {
        try (Interpreter interpreter = js()) {
            ResultBundle array = Cell.run(interpreter, "[1, 2, 3]").ok().main();
            assertEquals("[ 1, 2, 3 ]", array.text());
            assertEquals(json("[1,2,3]"), array.json());

            ResultBundle object = Cell.run(interpreter, "({a: 1, b: 'two', c: [true, null]})").ok().main();
            assertEquals("{ a: 1, b: 'two', c: [ true, null ] }", object.text());
            assertEquals(json("{\"a\":1,\"b\":\"two\",\"c\":[true,null]}"), object.json());

            // A cell that looks like an object literal is one.
            ResultBundle literal = Cell.run(interpreter, "{a: 1}").ok().main();
            assertEquals(json("{\"a\":1}"), literal.json());
        }
    }

    @Test
    void undefinedGivesNoMainResult() {
        try (Interpreter interpreter = js()) {
            Cell cell = Cell.run(interpreter, "undefined").ok();
            assertNull(cell.main());
            assertTrue(cell.results().isEmpty());
            assertTrue(Cell.run(interpreter, "void 0").ok().results().isEmpty());
            assertTrue(Cell.run(interpreter, "let z = 3").ok().results().isEmpty());
        }
    }

    @Test
    void aCellMayStartWithAHashbang() {
        try (Interpreter interpreter = js()) {
            assertEquals("3", mainText(interpreter, "#!/usr/bin/env node\nconst h = 3; h"));
            ExecutionEvent.Error error = Cell.run(interpreter, "#!/usr/bin/env node\nnotThere").error();
            assertEquals("ReferenceError", error.name());
            assertTrue(error.traceback().contains("    at <cell-2>:2:1"), error.traceback().toString());
        }
    }

    // ---------------------------------------------------------------- console

    @Test
    void consoleLogIsOneStdoutChunk() {
        try (Interpreter interpreter = js()) {
            Cell cell = Cell.run(interpreter, "console.log(\"hello\")").ok();
            assertEquals(List.of("hello\n"), cell.stdoutChunks());
            assertEquals("", cell.stderr());
            assertNull(cell.main());
        }
    }

    @Test
    void consoleLogAndInfoGoToStdoutErrorAndWarnToStderr() {
        try (Interpreter interpreter = js()) {
            Cell cell = Cell.run(interpreter,
                    "console.log('log'); console.info('info'); console.error('error'); console.warn('warn')").ok();
            assertEquals("log\ninfo\n", cell.stdout());
            assertEquals("error\nwarn\n", cell.stderr());
        }
    }

    // ---------------------------------------------------------------- modules

    @Test
    void requireStaticImportAndDynamicImportOfBuiltins() {
        try (Interpreter interpreter = js()) {
            assertEquals("'function'", mainText(interpreter, "const fs = require(\"fs\"); typeof fs.readFileSync"));
            Cell.run(interpreter, "import os from \"os\"").ok();
            assertEquals("'string'", mainText(interpreter, "typeof os.platform()"));
            Cell.run(interpreter, "const path = await import(\"node:path\")").ok();
            assertEquals("'a/b'", mainText(interpreter, "path.join('a', 'b')"));
            assertEquals("'c'", mainText(interpreter, "import { basename } from 'node:path'\nbasename('/x/c')"));
        }
    }

    @Test
    void aPackageInstalledInTheContextsCwdResolvesViaRequireAndImport() throws Exception {
        Path cwd = Files.createTempDirectory("codeshard-js-pkg-");
        Path pkg = Files.createDirectories(cwd.resolve("node_modules").resolve("greet"));
        Files.writeString(pkg.resolve("package.json"), "{\"name\": \"greet\", \"version\": \"1.0.0\", \"main\": \"index.js\"}\n");
        Files.writeString(pkg.resolve("index.js"), "module.exports = { greet: (name) => 'hello ' + name };\n");
        try (Interpreter interpreter = SharedRuntime.open(Language.JAVASCRIPT, cwd, Map.of())) {
            assertEquals("'hello req'", mainText(interpreter, "require('greet').greet('req')"));
            Cell.run(interpreter, "import { greet } from 'greet'").ok();
            assertEquals("'hello imp'", mainText(interpreter, "greet('imp')"));
            Cell.run(interpreter, "import g from 'greet'").ok();
            assertEquals("'hello def'", mainText(interpreter, "g.greet('def')"));
            assertEquals("'hello dyn'", mainText(interpreter, "(await import('greet')).default.greet('dyn')"));
        }
    }

    @Test
    void webGlobalsExist() {
        try (Interpreter interpreter = js()) {
            assertEquals("[ 'function', 'function', 'function', 'function' ]",
                    mainText(interpreter, "[typeof fetch, typeof URL, typeof TextEncoder, typeof setTimeout]"));
            assertEquals("'/p'", mainText(interpreter, "new URL('https://example.com/p').pathname"));
            assertEquals("3", mainText(interpreter, "new TextEncoder().encode('abc').length"));
        }
    }

    // ---------------------------------------------------------------- errors

    @Test
    void anUndefinedNameIsAReferenceErrorWithACleanTraceback() {
        try (Interpreter interpreter = js()) {
            Cell cell = Cell.run(interpreter, "nope + 1");
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, cell.events().toString());
            assertEquals("ReferenceError", error.name());
            assertEquals("nope is not defined", error.value());
            assertEquals("ReferenceError: nope is not defined", error.traceback().get(0));
            assertTrue(error.traceback().stream().anyMatch(l -> l.contains("<cell-")), error.traceback().toString());
            assertNoRuntimeFrames(error);
            assertNull(cell.main());
        }
    }

    @Test
    void anErrorInAFunctionOfAnEarlierCellShowsBothCells() {
        try (Interpreter interpreter = js()) {
            Cell.run(interpreter, "function fail() {\n  return missing;\n}").ok();
            ExecutionEvent.Error error = Cell.run(interpreter, "\nfail()").error();
            assertEquals("ReferenceError", error.name());
            assertTrue(error.traceback().stream().anyMatch(l -> l.contains("<cell-1>:2:")), error.traceback().toString());
            assertTrue(error.traceback().stream().anyMatch(l -> l.contains("<cell-2>:2:")), error.traceback().toString());
            assertNoRuntimeFrames(error);
        }
    }

    @Test
    void aThrownTypeErrorIsReported() {
        try (Interpreter interpreter = js()) {
            ExecutionEvent.Error error = Cell.run(interpreter, "throw new TypeError(\"t\")").error();
            assertEquals("TypeError", error.name());
            assertEquals("t", error.value());
            assertEquals("TypeError: t", error.traceback().get(0));
            assertNoRuntimeFrames(error);
        }
    }

    @Test
    void anAwaitedRejectionIsReported() {
        try (Interpreter interpreter = js()) {
            ExecutionEvent.Error error = Cell.run(interpreter, "await Promise.reject(new Error(\"boom\"))").error();
            assertEquals("Error", error.name());
            assertEquals("boom", error.value());
            assertNoRuntimeFrames(error);
        }
    }

    @Test
    void aSyntaxErrorFailsTheCellAndTheContextStillWorks() {
        try (Interpreter interpreter = js()) {
            Cell.run(interpreter, "const kept = 'still here'").ok();
            Cell cell = Cell.run(interpreter, "let = = 1");
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, "a syntax error must not succeed: " + cell.events());
            assertEquals("SyntaxError", error.name());
            assertTrue(error.traceback().get(0).startsWith("<cell-2>:1"), error.traceback().toString());
            assertEquals("let = = 1", error.traceback().get(1));
            assertTrue(error.traceback().get(error.traceback().size() - 1).startsWith("SyntaxError: "), error.traceback().toString());
            assertNull(cell.main());
            assertEquals("'still here'", mainText(interpreter, "kept"));
        }
    }

    @Test
    void aCustomErrorSubclassIsNamedAfterItsClass() {
        try (Interpreter interpreter = js()) {
            ExecutionEvent.Error error = Cell.run(interpreter,
                    "class NotFound extends Error {}\nthrow new NotFound('missing thing')").error();
            assertEquals("NotFound", error.name());
            assertEquals("missing thing", error.value());
            // An explicit name wins over the class name.
            ExecutionEvent.Error named = Cell.run(interpreter,
                    "class E2 extends Error { constructor(m) { super(m); this.name = 'Custom' } }\nthrow new E2('x')").error();
            assertEquals("Custom", named.name());
        }
    }

    @Test
    void aThrownNonErrorIsNamedUncaught() {
        try (Interpreter interpreter = js()) {
            ExecutionEvent.Error string = Cell.run(interpreter, "throw \"x\"").error();
            assertEquals("Uncaught", string.name());
            assertEquals("x", string.value());
            assertEquals(List.of("Uncaught 'x'"), string.traceback());

            ExecutionEvent.Error object = Cell.run(interpreter, "await Promise.reject({code: 1})").error();
            assertEquals("Uncaught", object.name());
            assertEquals("{ code: 1 }", object.value());
        }
    }

    @Test
    void anErrorThrownLaterByATimerDoesNotKillTheProcess() throws Exception {
        try (Interpreter interpreter = js()) {
            int pid = interpreter.pid();
            Cell.run(interpreter, "var survivor = 'alive'; setTimeout(() => { throw new Error('late') }, 10); 'scheduled'").ok();
            Cell.run(interpreter, "setTimeout(() => Promise.reject(new Error('late rejection')), 10); 1").ok();
            Thread.sleep(300);
            Cell next = Cell.run(interpreter, "survivor").ok();
            assertEquals("'alive'", next.main().text());
            assertTrue(next.notices().isEmpty(), next.notices().toString());
            assertEquals(pid, interpreter.pid());
            // The REPL prints such errors; they arrive with the next cell.
            assertTrue(next.stderr().contains("Uncaught Error: late"), next.stderr());
        }
    }

    // ---------------------------------------------------------------- interrupt

    @Test
    void interruptEndsAPendingAwaitAndKeepsTheContext() throws Exception {
        try (Interpreter interpreter = js()) {
            Cell.run(interpreter, "const kept = 21").ok();
            int pid = interpreter.pid();
            List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
            CompletableFuture<ExecutionEvent.Completed> done = interpreter.execute(
                    ExecutionRequest.of("console.log('go'); await new Promise(() => {})"), events::add);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (events.stream().noneMatch(e -> e instanceof ExecutionEvent.Stdout)) {
                assertTrue(System.nanoTime() < deadline, "cell never printed: " + events);
                Thread.sleep(20);
            }
            interpreter.interrupt();
            done.get(10, TimeUnit.SECONDS);
            ExecutionEvent.Error error = new Cell(List.copyOf(events)).error();
            assertNotNull(error, events.toString());
            assertEquals("Interrupted", error.name());
            assertEquals("Execution interrupted", error.value());
            Cell after = Cell.run(interpreter, "kept * 2").ok();
            assertEquals("42", after.main().text());
            assertTrue(after.notices().isEmpty(), after.notices().toString());
            assertEquals(pid, interpreter.pid());
        }
    }

    @Test
    void interruptStopsABusyLoop() throws Exception {
        try (Interpreter interpreter = js()) {
            Cell.run(interpreter, "var kept = 'yes'").ok();
            List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
            CompletableFuture<ExecutionEvent.Completed> done = interpreter.execute(
                    ExecutionRequest.of("console.log('go'); while (true) {}"), events::add);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (events.stream().noneMatch(e -> e instanceof ExecutionEvent.Stdout)) {
                assertTrue(System.nanoTime() < deadline, "cell never printed: " + events);
                Thread.sleep(20);
            }
            interpreter.interrupt();
            done.get(10, TimeUnit.SECONDS);
            assertEquals("Interrupted", new Cell(List.copyOf(events)).error().name());
            assertEquals("'yes'", mainText(interpreter, "kept"));
        }
    }
}
