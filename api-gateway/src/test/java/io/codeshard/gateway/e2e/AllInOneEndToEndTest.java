package io.codeshard.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.client.CodeContext;
import io.codeshard.client.ContextNotFoundException;
import io.codeshard.client.CreateContextOptions;
import io.codeshard.client.ExecutionResult;
import io.codeshard.client.RunCodeOptions;
import io.codeshard.client.Sandbox;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The all-in-one service as a user runs it, driven by the Java SDK: the seed examples, streaming,
 * serialization, listing and deletion; then a stop and a start on the same data directory that must
 * find every context intact (same id, language, cwd, envVars; executionCount continuing; a notice that
 * in-memory state was reset).
 */
class AllInOneEndToEndTest {

    @Test
    void theServiceDoesWhatTheSeedPromisesAndKeepsContextsAcrossARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("codeshard-e2e-");
        Path log = dataDir.resolve("service.log");
        String pythonId;
        String jsId;
        String deletedId;
        try (ServiceProcess service = ServiceProcess.start(dataDir, log)) {
            Sandbox sandbox = Sandbox.connect(service.url);

            CodeContext ctx = sandbox.createCodeContext(CreateContextOptions.builder()
                    .language(Language.PYTHON).cwd("/workspace/project").envVars(Map.of("API_KEY", "k-123")).build());
            pythonId = ctx.id();
            sandbox.runCode("import math; radius = 5", RunCodeOptions.inContext(ctx));
            ExecutionResult area = sandbox.runCode("math.pi * radius ** 2", RunCodeOptions.inContext(ctx));
            assertEquals("78.53981633974483", area.results().get(0).text());
            assertEquals("'k-123'", sandbox.runCode("import os\nos.environ['API_KEY']", RunCodeOptions.inContext(ctx)).results().get(0).text());

            List<String> streamed = new CopyOnWriteArrayList<>();
            ExecutionResult sum = sandbox.runCode("\ndata = [1, 2, 3, 4, 5]\nprint(f\"Sum: {sum(data)}\")\nsum(data)\n",
                    RunCodeOptions.builder().language(Language.PYTHON).onStdout(streamed::add).build());
            assertEquals(List.of("Sum: 15\n"), sum.logs().stdout());
            assertEquals(List.of("Sum: 15\n"), streamed);
            assertEquals("15", sum.results().get(0).text());

            ExecutionResult failed = sandbox.runCode("x = 1 / 0", RunCodeOptions.inLanguage(Language.PYTHON));
            assertEquals("ZeroDivisionError", failed.error().name());
            assertEquals("division by zero", failed.error().value());
            assertTrue(failed.error().traceback().size() > 1);

            ExecutionResult chart = sandbox.runCode("import matplotlib.pyplot as plt\nimport numpy as np\n"
                    + "x = np.linspace(0, 10, 100)\nplt.plot(x, np.sin(x))\nplt.show()", RunCodeOptions.inLanguage(Language.PYTHON));
            assertNotNull(chart.results().get(0).png());
            assertEquals("line", chart.results().get(0).chart().path("type").asText());

            ExecutionResult table = sandbox.runCode("import pandas as pd\ndf = pd.DataFrame({'Name': ['Alice', 'Bob'], 'Age': [25, 30]})\ndf",
                    RunCodeOptions.inLanguage(Language.PYTHON));
            assertTrue(table.results().get(0).html().contains("<table"));

            CodeContext js = sandbox.createCodeContext(CreateContextOptions.builder().language(Language.JAVASCRIPT).build());
            jsId = js.id();
            sandbox.runCode("const x = 10", RunCodeOptions.inContext(js));
            sandbox.runCode("let y = 20", RunCodeOptions.inContext(js));
            assertEquals("30", sandbox.runCode("x + y", RunCodeOptions.inContext(js)).results().get(0).text());

            sandbox.runCode("var counter = 0", RunCodeOptions.inContext(js));
            List<CompletableFuture<ExecutionResult>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                runs.add(CompletableFuture.supplyAsync(() -> sandbox.runCode("counter++; counter", RunCodeOptions.inContext(js))));
            }
            List<Integer> counts = runs.stream().map(CompletableFuture::join)
                    .map(r -> Integer.parseInt(r.results().get(0).text())).sorted().toList();
            assertEquals(IntStream.rangeClosed(1, 20).boxed().toList(), counts);

            List<Long> arrivals = new CopyOnWriteArrayList<>();
            long t0 = System.nanoTime();
            sandbox.runCode("import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.7)",
                    RunCodeOptions.builder().context(ctx).onStdout(s -> arrivals.add(System.nanoTime() - t0)).build());
            assertTrue(Duration.ofNanos(arrivals.get(2) - arrivals.get(0)).toMillis() >= 1000, "stdout streamed as it happened: " + arrivals);

            CodeContext doomed = sandbox.createCodeContext();
            deletedId = doomed.id();
            sandbox.deleteCodeContext(deletedId);
            assertThrows(ContextNotFoundException.class, () -> sandbox.getCodeContext(doomed.id()));

            List<String> listed = sandbox.listCodeContexts().stream().map(CodeContext::id).toList();
            assertTrue(listed.containsAll(List.of(pythonId, jsId, "default-python")), listed.toString());
            assertTrue(!listed.contains(deletedId), listed.toString());
        }

        try (ServiceProcess service = ServiceProcess.start(dataDir, log)) {
            Sandbox sandbox = Sandbox.connect(service.url);
            List<String> listed = sandbox.listCodeContexts().stream().map(CodeContext::id).toList();
            assertTrue(listed.containsAll(List.of(pythonId, jsId, "default-python")), listed.toString());
            assertTrue(!listed.contains(deletedId));

            CodeContext ctx = sandbox.getCodeContext(pythonId);
            assertEquals(Language.PYTHON, ctx.language());
            assertEquals("/workspace/project", ctx.cwd());
            assertEquals(Map.of("API_KEY", "k-123"), ctx.envVars());
            assertEquals(4, ctx.executionCount());

            List<ExecutionEvent.Notice> notices = new CopyOnWriteArrayList<>();
            ExecutionResult after = sandbox.runCode("import os\n('radius' in globals(), os.environ['API_KEY'], os.getcwd().endswith('/workspace/project'))",
                    RunCodeOptions.builder().context(ctx).onNotice(notices::add).build());
            assertNull(after.error());
            assertEquals("(False, 'k-123', True)", after.results().get(0).text());
            assertEquals(5, after.executionCount());
            assertEquals("state_reset", notices.get(0).code());

            assertEquals(Language.JAVASCRIPT, sandbox.getCodeContext(jsId).language());
            assertThrows(ContextNotFoundException.class, () -> sandbox.getCodeContext(deletedId));
        }
    }
}
