package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** User code that hangs, crashes or floods is contained, reported, and the context keeps working. */
class FailureContainmentTest {
    private static final Duration SHORT = Duration.ofMillis(700);

    @Test
    void pythonTimeoutInterruptsTheCellAndKeepsState() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell.run(interpreter, "kept = 7").ok();
            Cell cell = Cell.run(interpreter, "while True: pass", SHORT);
            assertEquals("TimeoutError", cell.error().name());
            assertTrue(cell.error().value().contains("timed out after 700 ms"), cell.error().value());
            Cell after = Cell.run(interpreter, "kept * 6").ok();
            assertEquals("42", after.main().text());
            assertTrue(after.notices().isEmpty());
        }
    }

    @Test
    void pythonSleepIsInterruptedByTheTimeout() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell cell = Cell.run(interpreter, "import time\ntime.sleep(100)", SHORT);
            assertEquals("TimeoutError", cell.error().name());
            assertTrue(cell.completed().durationMs() < 5000, "took " + cell.completed().durationMs());
        }
    }

    @Test
    void aCellThatIgnoresTheInterruptIsKilledAndTheContextRestarts() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell.run(interpreter, "lost = 1").ok();
            int pidBefore = interpreter.pid();
            Cell cell = Cell.run(interpreter, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass", SHORT);
            assertEquals("TimeoutError", cell.error().name());
            assertTrue(cell.error().value().contains("killed and restarted"), cell.error().value());
            Cell after = Cell.run(interpreter, "lost");
            assertEquals("state_reset", after.notices().get(0).code());
            assertEquals("NameError", after.error().name());
            assertEquals("3", Cell.run(interpreter, "1 + 2").ok().main().text());
            assertFalse(ProcessHandle.of(pidBefore).map(ProcessHandle::isAlive).orElse(false), "old process must be gone");
        }
    }

    @Test
    void javascriptBusyLoopIsStoppedByTheTimeoutAndStateIsKept() {
        try (Interpreter interpreter = SharedRuntime.open(Language.JAVASCRIPT)) {
            Cell.run(interpreter, "const kept = 7").ok();
            Cell cell = Cell.run(interpreter, "while (true) {}", SHORT);
            assertEquals("TimeoutError", cell.error().name());
            assertEquals("42", Cell.run(interpreter, "kept * 6").ok().main().text());
        }
    }

    @Test
    void javascriptPendingAwaitIsAbandonedAtTheTimeout() {
        try (Interpreter interpreter = SharedRuntime.open(Language.JAVASCRIPT)) {
            Cell cell = Cell.run(interpreter, "await new Promise(() => {})", SHORT);
            assertEquals("TimeoutError", cell.error().name());
            assertEquals("2", Cell.run(interpreter, "1 + 1").ok().main().text());
        }
    }

    @Test
    void interruptStopsTheRunningCell() throws Exception {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
            CompletableFuture<ExecutionEvent.Completed> done = interpreter.execute(
                    ExecutionRequest.of("import time\nprint('go', flush=True)\ntime.sleep(60)"), events::add);
            while (events.stream().noneMatch(e -> e instanceof ExecutionEvent.Stdout)) {
                Thread.sleep(20);
            }
            interpreter.interrupt();
            done.get(10, TimeUnit.SECONDS);
            assertEquals("KeyboardInterrupt", new Cell(List.copyOf(events)).error().name());
            assertEquals("2", Cell.run(interpreter, "1 + 1").ok().main().text());
        }
    }

    @Test
    void pythonExitIsReportedAndTheNextCellRunsInAFreshInterpreter() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell.run(interpreter, "x = 1").ok();
            Cell crash = Cell.run(interpreter, "import os\nos._exit(3)");
            assertEquals("ContextRestarting", crash.error().name());
            assertTrue(crash.error().value().contains("exited with code 3"), crash.error().value());
            Cell next = Cell.run(interpreter, "'x' in globals()").ok();
            assertEquals("False", next.main().text());
            assertEquals("state_reset", next.notices().get(0).code());
            assertTrue(next.notices().get(0).message().contains("exited with code 3"), next.notices().get(0).message());
        }
    }

    @Test
    void aSegfaultIsNamed() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell crash = Cell.run(interpreter, "import ctypes\nctypes.string_at(0)");
            assertEquals("ContextRestarting", crash.error().name());
            assertTrue(crash.error().value().contains("SIGSEGV"), crash.error().value());
            assertEquals("2", Cell.run(interpreter, "1 + 1").ok().main().text());
        }
    }

    @Test
    void nodeProcessExitIsReportedAndTheContextRecovers() {
        try (Interpreter interpreter = SharedRuntime.open(Language.JAVASCRIPT)) {
            Cell crash = Cell.run(interpreter, "process.exit(4)");
            assertEquals("ContextRestarting", crash.error().name());
            assertTrue(crash.error().value().contains("exited with code 4"), crash.error().value());
            Cell next = Cell.run(interpreter, "typeof counterFromBefore");
            assertEquals("'undefined'", next.ok().main().text());
            assertEquals("state_reset", next.notices().get(0).code());
        }
    }

    @Test
    void aProcessKilledWhileIdleIsReplacedWithANotice() throws Exception {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            int pid = interpreter.pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            Thread.sleep(300);
            Cell next = Cell.run(interpreter, "1 + 1").ok();
            assertEquals("2", next.main().text());
            assertNotNull(next.notices().stream().filter(n -> n.message().contains("SIGKILL")).findFirst().orElse(null), next.notices().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Language.class, names = {"PYTHON", "JAVASCRIPT"})
    void outputBeyondTheCapIsDroppedWithOneMarker(Language language) {
        String flood = language == Language.PYTHON
                ? "for i in range(3000):\n    print('x' * 10000)"
                : "for (let i = 0; i < 3000; i++) console.log('x'.repeat(10000))";
        try (Interpreter interpreter = SharedRuntime.open(language)) {
            Cell cell = Cell.run(interpreter, flood).ok();
            long cap = SharedRuntime.host().config().maxOutputBytes();
            assertTrue(cell.stdout().length() <= cap, "kept " + cell.stdout().length() + " bytes");
            assertTrue(cell.stdout().length() > cap / 2, "kept only " + cell.stdout().length() + " bytes");
            assertEquals(1, cell.stderr().split("output limit", -1).length - 1, cell.stderr());
            assertEquals("2", Cell.run(interpreter, "1 + 1").ok().main().text());
        }
    }

    @Test
    void anEndlessFloodIsBoundedAndStoppedByTheTimeout() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell cell = Cell.run(interpreter, "while True: print('x' * 10000)", Duration.ofSeconds(2));
            assertEquals("TimeoutError", cell.error().name());
            assertTrue(cell.stdout().length() <= SharedRuntime.host().config().maxOutputBytes());
            assertEquals("2", Cell.run(interpreter, "1 + 1").ok().main().text());
        }
    }

    @Test
    void restartDropsStateAndKeepsTheContextUsable() throws Exception {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell.run(interpreter, "x = 1").ok();
            int before = interpreter.pid();
            interpreter.restart().get(30, TimeUnit.SECONDS);
            assertEquals("NameError", Cell.run(interpreter, "x").error().name());
            assertTrue(interpreter.pid() != before);
        }
    }

    @Test
    void closingEndsTheProcess() throws Exception {
        Interpreter interpreter = SharedRuntime.open(Language.JAVASCRIPT);
        ProcessHandle process = ProcessHandle.of(interpreter.pid()).orElseThrow();
        interpreter.close();
        process.onExit().get(5, TimeUnit.SECONDS);
        assertFalse(process.isAlive());
    }
}
