package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The execution contract every language meets: ordering, counting, serialization, cwd and env, streaming. */
class ExecutionContractTest {

    @ParameterizedTest
    @EnumSource(Language.class)
    void everyCellStartsWithStartedAndEndsWithCompletedNumberedInOrder(Language language) {
        try (Interpreter interpreter = SharedRuntime.open(language)) {
            for (int expected = 1; expected <= 3; expected++) {
                Cell cell = Cell.run(interpreter, "1 + 1");
                assertEquals(new ExecutionEvent.Started(expected), cell.started());
                assertEquals(expected, cell.completed().executionCount());
                assertEquals(1, cell.events().stream().filter(ExecutionEvent::isTerminal).count());
            }
            assertEquals(3, interpreter.executionCount());
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void concurrentSubmissionsRunOneAtATimeInSubmissionOrder(Language language) throws Exception {
        String init = language == Language.PYTHON ? "counter = 0" : "var counter = 0";
        String step = language == Language.PYTHON ? "counter += 1\ncounter" : "counter++; counter";
        try (Interpreter interpreter = SharedRuntime.open(language)) {
            Cell.run(interpreter, init).ok();
            List<CompletableFuture<ExecutionEvent.Completed>> futures = new ArrayList<>();
            List<List<ExecutionEvent>> perCell = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
                perCell.add(events);
                futures.add(interpreter.execute(ExecutionRequest.of(step), events::add));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < 20; i++) {
                Cell cell = new Cell(List.copyOf(perCell.get(i)));
                assertEquals(String.valueOf(i + 1), cell.ok().main().text(), "cell " + i);
                assertEquals(i + 2, cell.started().executionCount());
            }
        }
    }

    @Test
    void executionCountContinuesFromARestoredContext() throws Exception {
        Path cwd = Files.createTempDirectory("codeshard-test-");
        try (Interpreter interpreter = SharedRuntime.host()
                .open(new InterpreterSpec(Language.PYTHON, cwd, Map.of()), 41).get(30, TimeUnit.SECONDS)) {
            assertEquals(42, Cell.run(interpreter, "pass").started().executionCount());
        }
    }

    @Test
    void pythonHonoursCwdAndEnvVarsGivenAtStart() throws Exception {
        Path cwd = Files.createTempDirectory("codeshard-cwd-");
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON, cwd, Map.of("GREETING", "hej"))) {
            Cell cell = Cell.run(interpreter, "import os\nprint(os.getcwd())\nos.environ['GREETING']").ok();
            assertEquals(cwd.toRealPath() + "\n", cell.stdout());
            assertEquals("'hej'", cell.main().text());
            assertEquals("hej\n", Cell.run(interpreter, "import os\nos.system('echo $GREETING')").stdout());
        }
    }

    @Test
    void javascriptHonoursCwdAndEnvVarsGivenAtStart() throws Exception {
        Path cwd = Files.createTempDirectory("codeshard-cwd-");
        try (Interpreter interpreter = SharedRuntime.open(Language.JAVASCRIPT, cwd, Map.of("GREETING", "hej"))) {
            Cell cell = Cell.run(interpreter, "console.log(process.cwd()); process.env.GREETING").ok();
            assertEquals(cwd.toRealPath() + "\n", cell.stdout());
            assertEquals("'hej'", cell.main().text());
        }
    }

    @Test
    void theNodesOwnEnvironmentDoesNotReachInterpreters() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell cell = Cell.run(interpreter, "import os\nsorted(k for k in os.environ if k not in ('PATH','LANG','LC_ALL','TZ','HOME','MPLBACKEND','OPENBLAS_CORETYPE','OPENBLAS_L2_SIZE'))").ok();
            assertEquals("[]", cell.main().text());
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void perExecutionEnvVarsApplyToThatExecutionOnly(Language language) {
        String read = language == Language.PYTHON ? "import os\nos.environ.get('ONCE', 'unset')" : "process.env.ONCE ?? 'unset'";
        try (Interpreter interpreter = SharedRuntime.open(language)) {
            assertEquals("'now'", Cell.run(interpreter, read, Map.of("ONCE", "now")).ok().main().text());
            assertEquals("'unset'", Cell.run(interpreter, read).ok().main().text());
        }
    }

    @Test
    void pythonOutputOfSubprocessesAndRawWritesIsCapturedInOrder() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell cell = Cell.run(interpreter, String.join("\n",
                    "import os, subprocess, sys",
                    "print('one')",
                    "os.system('echo two')",
                    "subprocess.run(['echo', 'three'])",
                    "os.write(1, b'four\\n')",
                    "print('five')")).ok();
            assertEquals("one\ntwo\nthree\nfour\nfive\n", cell.stdout());
        }
    }

    @Test
    void printArrivesAsOneChunk() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            assertEquals(List.of("hello\n"), Cell.run(interpreter, "print(\"hello\")").ok().stdoutChunks());
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void outputStreamsBeforeTheCellEnds(Language language) throws Exception {
        String code = language == Language.PYTHON
                ? "import time\nprint('early', flush=True)\ntime.sleep(2)\nprint('late')"
                : "console.log('early'); await new Promise(r => setTimeout(r, 2000)); console.log('late')";
        try (Interpreter interpreter = SharedRuntime.open(language)) {
            List<Long> arrivals = new CopyOnWriteArrayList<>();
            List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
            interpreter.execute(ExecutionRequest.of(code), event -> {
                events.add(event);
                arrivals.add(System.nanoTime());
            }).get(30, TimeUnit.SECONDS);
            int early = events.indexOf(events.stream().filter(e -> e instanceof ExecutionEvent.Stdout s && s.text().contains("early")).findFirst().orElseThrow());
            long gapMs = TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(early));
            assertTrue(gapMs >= 1500, "first output must arrive while the cell sleeps, gap was " + gapMs + " ms");
        }
    }

    @Test
    void stdoutAndStderrAreTold() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell cell = Cell.run(interpreter, "import sys\nprint('out')\nprint('err', file=sys.stderr)").ok();
            assertEquals("out\n", cell.stdout());
            assertEquals("err\n", cell.stderr());
        }
    }

    @Test
    void forkedPythonChildrenGetTheirOwnRandomSeedsAndProcesses() {
        try (Interpreter a = SharedRuntime.open(Language.PYTHON); Interpreter b = SharedRuntime.open(Language.PYTHON)) {
            String code = "import random, os, numpy as np\n(random.random(), float(np.random.rand()), os.getpid())";
            String first = Cell.run(a, code).ok().main().text();
            String second = Cell.run(b, code).ok().main().text();
            String[] x = first.replaceAll("[()]", "").split(", ");
            String[] y = second.replaceAll("[()]", "").split(", ");
            for (int i = 0; i < 3; i++) {
                assertNotEquals(x[i], y[i], "field " + i + " of " + first + " vs " + second);
            }
            assertNotEquals(a.pid(), b.pid());
        }
    }

    @Test
    void resultEventsCarryTheMainFlag() {
        try (Interpreter interpreter = SharedRuntime.open(Language.PYTHON)) {
            Cell cell = Cell.run(interpreter, "display('shown')\n'last'").ok();
            assertEquals(2, cell.results().size());
            assertInstanceOf(ExecutionEvent.Result.class, cell.events().get(1));
            assertEquals("'shown'", cell.displayed().get(0).text());
            assertEquals("'last'", cell.main().text());
        }
    }
}
