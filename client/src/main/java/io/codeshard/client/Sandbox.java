package io.codeshard.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A sandbox of a codeshard service: the entry point of the SDK. Contexts of one sandbox share a
 * workspace directory; a context keeps its variables, imports and functions from one run to the next.
 * The methods mirror the Cloudflare Sandbox SDK's code interpreter ({@code createCodeContext},
 * {@code runCode}, {@code listCodeContexts}, {@code deleteCodeContext}) over codeshard's native API.
 *
 * <p>A {@code Sandbox} is thread-safe and cheap to keep; every method is one blocking HTTP request.
 * Error answers of the service throw {@link CodeshardException} ({@link ContextNotFoundException} for
 * an unknown context); failing to reach it throws {@link java.io.UncheckedIOException}.
 *
 * <h2>Run code in a context</h2>
 * <pre>{@code
 * Sandbox sandbox = Sandbox.connect("http://127.0.0.1:8080");
 * CodeContext ctx = sandbox.createCodeContext(CreateContextOptions.forLanguage(Language.PYTHON));
 *
 * sandbox.runCode("import math; radius = 5", RunCodeOptions.inContext(ctx));
 * ExecutionResult result = sandbox.runCode("math.pi * radius ** 2", RunCodeOptions.inContext(ctx));
 *
 * result.results().get(0).text(); // "78.53981633974483"
 * }</pre>
 *
 * <h2>Run code in the default context</h2>
 * Without a context, code runs in the sandbox's default context of its language, created on first use.
 * <pre>{@code
 * ExecutionResult result = sandbox.runCode("""
 *         data = [1, 2, 3, 4, 5]
 *         print(f"Sum: {sum(data)}")
 *         sum(data)
 *         """, RunCodeOptions.inLanguage(Language.PYTHON));
 *
 * result.logs().stdout();         // ["Sum: 15\n"]
 * result.results().get(0).text(); // "15"
 * }</pre>
 *
 * <h2>Errors of the code</h2>
 * A failing cell is a result, not an exception:
 * <pre>{@code
 * ExecutionResult result = sandbox.runCode("x = 1 / 0", RunCodeOptions.inLanguage(Language.PYTHON));
 *
 * if (result.error() != null) {
 *     result.error().name();      // "ZeroDivisionError"
 *     result.error().value();     // "division by zero"
 *     result.error().traceback(); // the traceback, one line per entry
 * }
 * }</pre>
 *
 * <h2>JavaScript and TypeScript</h2>
 * Variables declared with {@code const}, {@code let} or {@code var} persist, and top-level {@code await} works.
 * <pre>{@code
 * CodeContext ctx = sandbox.createCodeContext(CreateContextOptions.forLanguage(Language.JAVASCRIPT));
 *
 * sandbox.runCode("const x = 10", RunCodeOptions.inContext(ctx));
 * sandbox.runCode("let y = 20", RunCodeOptions.inContext(ctx));
 * ExecutionResult result = sandbox.runCode("x + y", RunCodeOptions.inContext(ctx));
 *
 * result.results().get(0).text(); // "30"
 * }</pre>
 *
 * <h2>Charts and tables</h2>
 * Rich results carry every format the interpreter produced; binary ones are base64.
 * <pre>{@code
 * ExecutionResult chart = sandbox.runCode("""
 *         import matplotlib.pyplot as plt
 *         import numpy as np
 *
 *         x = np.linspace(0, 10, 100)
 *         plt.plot(x, np.sin(x))
 *         plt.show()
 *         """);
 * String png = chart.results().get(0).png();
 * if (png != null) {
 *     Files.write(Path.of("sine.png"), Base64.getDecoder().decode(png));
 * }
 *
 * ExecutionResult table = sandbox.runCode("""
 *         import pandas as pd
 *         df = pd.DataFrame({'Name': ['Alice', 'Bob'], 'Age': [25, 30]})
 *         df
 *         """);
 * String html = table.results().get(0).html(); // "<table border=\"1\" class=\"dataframe\">…"
 * }</pre>
 *
 * <h2>Streaming</h2>
 * Callbacks see the output while the code is still running:
 * <pre>{@code
 * sandbox.runCode("""
 *         import time
 *         for i in range(3):
 *             print(i, flush=True)
 *             time.sleep(1)
 *         """, RunCodeOptions.builder()
 *         .context(ctx)
 *         .onStdout(System.out::print)
 *         .onError(error -> System.err.println(error.name() + ": " + error.value()))
 *         .onNotice(notice -> System.err.println(notice.message()))
 *         .build());
 * }</pre>
 *
 * <h2>Managing contexts</h2>
 * <pre>{@code
 * List<CodeContext> contexts = sandbox.listCodeContexts();
 * System.out.println("Found " + contexts.size() + " contexts");
 * sandbox.deleteCodeContext(ctx.id());
 * }</pre>
 */
public final class Sandbox {
    /** The sandbox requests belong to when none is named. */
    public static final String DEFAULT_ID = "default";

    private static final Pattern SANDBOX_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String id;
    private final Transport transport;

    private Sandbox(String baseUrl, String id) {
        this.id = id;
        this.transport = new Transport(baseUrl, id);
    }

    /**
     * The {@value #DEFAULT_ID} sandbox of the service at {@code baseUrl}. No request is sent until the
     * first method call.
     *
     * @param baseUrl where the service listens, for example {@code http://127.0.0.1:8080}
     */
    public static Sandbox connect(String baseUrl) {
        return connect(baseUrl, DEFAULT_ID);
    }

    /**
     * The sandbox {@code sandboxId} of the service at {@code baseUrl}; it comes into being with its first
     * context. No request is sent until the first method call.
     *
     * @param baseUrl   where the service listens, for example {@code http://127.0.0.1:8080}
     * @param sandboxId 1 to 64 letters, digits, {@code _} or {@code -}
     * @throws IllegalArgumentException when {@code sandboxId} is not such a name
     */
    public static Sandbox connect(String baseUrl, String sandboxId) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (sandboxId == null || !SANDBOX_ID.matcher(sandboxId).matches()) {
            throw new IllegalArgumentException(
                    "Invalid sandbox id '" + sandboxId + "': use 1 to 64 of A-Z, a-z, 0-9, _ and -");
        }
        return new Sandbox(baseUrl, sandboxId);
    }

    /** The id of this sandbox, sent as {@code X-Sandbox-Id}. */
    public String id() {
        return id;
    }

    /** Creates a Python context in {@code /workspace} with the service's default timeouts. */
    public CodeContext createCodeContext() {
        return createCodeContext(CreateContextOptions.builder().build());
    }

    /**
     * Creates a context as {@code options} describe.
     *
     * @throws CodeshardException when the service refuses the options, for example a {@code cwd} with {@code ..}
     */
    public CodeContext createCodeContext(CreateContextOptions options) {
        return transport.exchange("POST", "/v1/contexts", options.request(), Wire.Context.class).toCodeContext();
    }

    /** Runs {@code code} in the sandbox's default Python context and returns what it produced. */
    public ExecutionResult runCode(String code) {
        return runCode(code, RunCodeOptions.builder().build());
    }

    /**
     * Runs {@code code} where {@code options} say, calling their callbacks as output arrives, and returns
     * everything it produced once it completed. A failing cell is not an exception: its error is in
     * {@link ExecutionResult#error()}.
     *
     * @throws ContextNotFoundException when the options name a context that does not exist
     * @throws CodeshardException       when the service refuses the request or cannot run it now
     */
    public ExecutionResult runCode(String code, RunCodeOptions options) {
        ExecutionAccumulator execution = new ExecutionAccumulator(code, options);
        transport.stream("/v1/execute", options.request(Objects.requireNonNull(code, "code")), execution);
        return execution.result();
    }

    /** The contexts of this sandbox, in creation order. */
    public List<CodeContext> listCodeContexts() {
        return transport.exchange("GET", "/v1/contexts", null, Wire.ContextList.class).contexts().stream()
                .map(Wire.Context::toCodeContext)
                .toList();
    }

    /**
     * The context {@code id} as it is now (its {@code lastUsed} and {@code executionCount} move on).
     *
     * @throws ContextNotFoundException when there is no such context
     */
    public CodeContext getCodeContext(String id) {
        return transport.exchange("GET", contextPath(id), null, Wire.Context.class).toCodeContext();
    }

    /**
     * Deletes the context {@code id}, stopping its interpreter; files it wrote stay in the workspace.
     *
     * @throws ContextNotFoundException when there is no such context
     */
    public void deleteCodeContext(String id) {
        transport.exchange("DELETE", contextPath(id), null, Void.class);
    }

    /**
     * Gives the context {@code id} a fresh interpreter: same id, language, directory and variables of
     * the environment, but every in-memory value of earlier runs is gone.
     *
     * @throws ContextNotFoundException when there is no such context
     */
    public CodeContext restartCodeContext(String id) {
        return transport.exchange("POST", contextPath(id) + "/restart", null, Wire.Context.class).toCodeContext();
    }

    private static String contextPath(String id) {
        // URLEncoder encodes for forms; a path segment wants %20, not +, for a space.
        return "/v1/contexts/" + URLEncoder.encode(Objects.requireNonNull(id, "id"), StandardCharsets.UTF_8)
                .replace("+", "%20");
    }
}
