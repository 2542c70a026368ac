package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * User code that abuses resources: fork and memory bombs, open files, big files and workspaces, endless
 * output and loops, processes left behind, closed stdio. Each is stopped with a clear error, the context
 * keeps working (or is restarted with a {@code state_reset} notice), and the node keeps serving.
 * Limits are those of {@link Sandboxes}.
 */
class ResourceAbuseTest {

    private static void assertErrorMentions(Cell cell, String name, String text) {
        ExecutionEvent.Error error = cell.error();
        assertNotNull(error, "expected " + name + " in " + cell.events());
        assertEquals(name, error.name(), error.toString());
        assertTrue(error.value().contains(text), error.value());
    }

    @Test
    void aForkBombIsStoppedAtTheSandboxsProcessLimit() {
        Sandboxes.assumeNamespaces();
        try (Interpreter bystander = Sandboxes.open("bystander", Language.PYTHON);
             Interpreter bomb = Sandboxes.open("fork-bomb", Language.PYTHON)) {
            Cell.run(bomb, "kept = 'state'").ok();
            Cell cell = Cell.run(bomb, "import os\nwhile True:\n    os.fork()", Duration.ofSeconds(30));
            assertErrorMentions(cell, "BlockingIOError", "codeshard.sandbox.max-processes");
            assertEquals("'state'", Cell.run(bomb, "kept").ok().main().text());
            assertEquals("'ok'", Cell.run(bomb, "import subprocess\nsubprocess.run(['true'], check=True)\n'ok'").ok().main().text());
            assertEquals("2", Cell.run(bystander, "1 + 1").ok().main().text());
        }
        Sandboxes.assertNodeServes(Language.PYTHON);
    }

    @Test
    void aPythonMemoryBombGetsMemoryErrorAndTheContextLives() {
        try (Interpreter python = Sandboxes.open("memory-bomb", Language.PYTHON)) {
            Cell.run(python, "kept = 'state'").ok();
            assertErrorMentions(Cell.run(python, "hoard = []\nwhile True:\n    hoard.append(bytearray(32 << 20))"),
                    "MemoryError", "codeshard.sandbox.memory-mib");
            assertErrorMentions(Cell.run(python, "bytearray(64 << 30)"), "MemoryError", "codeshard.sandbox.memory-mib");
            assertEquals("'state'", Cell.run(python, "del hoard\nkept").ok().main().text());
        }
        Sandboxes.assertNodeServes(Language.PYTHON);
    }

    @Test
    void aJavaScriptMemoryBombRestartsItsContext() {
        try (Interpreter js = Sandboxes.open("memory-bomb-js", Language.JAVASCRIPT)) {
            Cell cell = Cell.run(js, "const hoard = []; for (;;) hoard.push(new Array(1e6).fill(1.5))");
            assertNotNull(cell.error(), cell.events().toString());
            Cell next = Cell.run(js, "1 + 1").ok();
            assertEquals("2", next.main().text());
            if (cell.error().name().equals("ContextRestarting")) {
                assertTrue(cell.error().value().contains("codeshard.sandbox.memory-mib"), cell.error().value());
                assertEquals(List.of("state_reset"), next.notices().stream().map(ExecutionEvent.Notice::code).toList());
            }
        }
        Sandboxes.assertNodeServes(Language.JAVASCRIPT);
    }

    @Test
    void openFilesAreLimited() {
        try (Interpreter python = Sandboxes.open("open-files", Language.PYTHON)) {
            assertErrorMentions(Cell.run(python, "handles = [open('/dev/null') for _ in range(100_000)]"),
                    "OSError", "codeshard.sandbox.max-open-files");
            assertEquals("2", Cell.run(python, "1 + 1").ok().main().text());
        }
    }

    @Test
    void aFileCannotGrowPastTheFileSizeLimit() {
        try (Interpreter python = Sandboxes.open("big-file", Language.PYTHON);
             Interpreter js = Sandboxes.open("big-file", Language.JAVASCRIPT)) {
            assertErrorMentions(Cell.run(python, "with open('big.bin', 'wb') as f:\n    f.write(bytes(9 << 20))"),
                    "OSError", "codeshard.sandbox.max-file-mib");
            String code = Cell.run(js, "(() => { try { fs.writeFileSync('big2.bin', Buffer.alloc(9 << 20)); return 'written' }"
                    + " catch (e) { return e.code } })()").ok().main().text();
            assertEquals("'EFBIG'", code);
            assertEquals("2", Cell.run(python, "import os\nos.remove('big.bin'); os.remove('big2.bin')\n1 + 1").ok().main().text());
        }
    }

    @Test
    void aFullWorkspaceIsReportedAfterTheExecution() {
        try (Interpreter python = Sandboxes.open("full-disk", Language.PYTHON)) {
            Cell cell = Cell.run(python, "for i in range(5):\n    open(f'chunk{i}.bin', 'wb').write(bytes(7 << 20))");
            assertErrorMentions(cell, "DiskQuotaExceeded", "codeshard.sandbox.max-workspace-mib");
            Cell cleaned = Cell.run(python, "import os\nfor i in range(5):\n    os.remove(f'chunk{i}.bin')").ok();
            assertTrue(cleaned.notices().isEmpty(), cleaned.events().toString());
        }
    }

    @Test
    void endlessOutputAndEndlessLoopsEndAtTheirLimits() {
        try (Interpreter python = Sandboxes.open("endless", Language.PYTHON);
             Interpreter js = Sandboxes.open("endless", Language.JAVASCRIPT)) {
            Cell.run(python, "kept = 'state'").ok();
            Cell flood = Cell.run(python, "while True:\n    print('x' * 1000)", Duration.ofSeconds(3));
            assertEquals("TimeoutError", flood.error().name());
            assertTrue(flood.stderr().contains("output limit"), flood.stderr());
            assertTrue(flood.stdout().length() <= 1 << 20, "output was capped");
            assertEquals("TimeoutError", Cell.run(python, "while True:\n    pass", Duration.ofSeconds(2)).error().name());
            assertEquals("TimeoutError", Cell.run(js, "for (;;) {}", Duration.ofSeconds(2)).error().name());
            assertEquals("'state'", Cell.run(python, "kept").ok().main().text());
            assertEquals("2", Cell.run(js, "1 + 1").ok().main().text());
        }
        Sandboxes.assertNodeServes(Language.PYTHON);
    }

    @Test
    void processesLeftBehindDoNotHoldTheCellAndDieWithTheContext() throws Exception {
        String marker = String.valueOf(900_000 + ProcessHandle.current().pid() % 90_000);
        Interpreter python = Sandboxes.open("left-behind", Language.PYTHON);
        try {
            String code = "import os, subprocess\n"
                    + "subprocess.Popen(['sleep', '" + marker + "1'])\n"          // a plain background child
                    + "if os.fork() == 0:\n"                                          // one that leaves the process group
                    + "    os.setsid()\n"
                    + "    os.execvp('sleep', ['sleep', '" + marker + "2'])\n"
                    + "if os.fork() == 0:\n"                                          // a zombie: exits, never reaped
                    + "    os._exit(0)\n"
                    + "'started'";
            Cell cell = Cell.run(python, code, Duration.ofSeconds(20));
            assertEquals("'started'", cell.ok().main().text());
            assertTrue(cell.completed().durationMs() < 10_000, "the cell was held by its children");
            long started = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (sleepers(marker).size() < 2 && System.nanoTime() < started) {
                Thread.sleep(50); // the forked child may exec only after the cell ended
            }
            assertEquals(2, sleepers(marker).size());
        } finally {
            python.close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ProcessHandle> left = sleepers(marker);
        int allowed = Sandboxes.namespaces() ? 0 : 1; // without namespaces, a process that left the group survives
        while (left.size() > allowed && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = sleepers(marker);
        }
        left.forEach(ProcessHandle::destroyForcibly);
        assertEquals(allowed, left.size(), "processes outlived their context");
        Sandboxes.assertNodeServes(Language.PYTHON);
    }

    @Test
    void aCellThatClosesItsOwnStdioDoesNotBreakTheContext() {
        try (Interpreter python = Sandboxes.open("closed-stdio", Language.PYTHON)) {
            Cell.run(python, "import os, sys\nsys.stdout.close()\nos.close(0)\nos.close(1)\nos.close(2)");
            Cell after = Cell.run(python, "print('still here')\n1 + 1").ok();
            assertEquals("still here\n", after.stdout());
            assertEquals("2", after.main().text());
            assertEquals("hi\n", Cell.run(python, "import subprocess\nsubprocess.run(['echo', 'hi'])\nNone").ok().stdout());
        }
        try (Interpreter js = Sandboxes.open("closed-stdio", Language.JAVASCRIPT)) {
            // Node cannot reopen its fds: its next write fails and the context restarts, never hangs
            Cell.run(js, "fs.closeSync(0); fs.closeSync(1); fs.closeSync(2)");
            Cell.run(js, "console.log('lost?')");
            assertEquals("2", Cell.run(js, "1 + 1").ok().main().text());
        }
        Sandboxes.assertNodeServes(Language.PYTHON);
    }

    private static List<ProcessHandle> sleepers(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("sleep " + marker)).orElse(false))
                .toList();
    }
}
