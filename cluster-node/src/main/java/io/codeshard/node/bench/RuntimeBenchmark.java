package io.codeshard.node.bench;

import io.codeshard.node.interpreter.ExecutionRequest;
import io.codeshard.node.interpreter.Interpreter;
import io.codeshard.node.interpreter.InterpreterConfig;
import io.codeshard.node.interpreter.InterpreterSpec;
import io.codeshard.node.interpreter.RuntimeHost;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./codeshard bench runtime}: what the interpreter layer costs, each figure next to a
 * baseline measured in the same run.
 * <ul>
 *   <li>interpreter start per language: from a warm pool, and without one (fork from the zygote / a Node start)</li>
 *   <li>trivial cell round trip through {@link Interpreter} vs. a raw length-prefixed echo over pipes to the same program</li>
 *   <li>cells per second on one context (cells queued back to back)</li>
 *   <li>private memory of an idle context, hence idle contexts per GB</li>
 * </ul>
 */
public final class RuntimeBenchmark {
    private static final int STARTS = 40;
    private static final int ROUND_TRIPS = 2000;
    private static final int THROUGHPUT_CELLS = 5000;
    private static final int IDLE_CONTEXTS = 30;

    private RuntimeBenchmark() {}

    public static void main(String[] args) throws Exception {
        InterpreterConfig config = InterpreterConfig.fromSystem();
        long zygoteStart = System.nanoTime();
        try (RuntimeHost pooled = RuntimeHost.start(config.withPools(2, 2))) {
            System.out.printf("node start (zygote imports numpy/pandas/matplotlib/IPython): %.0f ms%n", millis(System.nanoTime() - zygoteStart));
            try (RuntimeHost unpooled = RuntimeHost.start(config.withPools(0, 0))) {
                System.out.println("\n== interpreter start (open -> ready), " + STARTS + " each ==");
                for (Language language : Language.values()) {
                    report(language + " from warm pool", starts(pooled, language, true));
                    report(language + " without pool", starts(unpooled, language, false));
                }
            }
            System.out.println("\n== trivial cell round trip, " + ROUND_TRIPS + " each ==");
            for (Language language : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
                double[] raw = rawPipeRoundTrips(config, language);
                double[] cell = cellRoundTrips(pooled, language);
                report(language + " raw pipe echo", raw);
                report(language + " cell via Interpreter", cell);
                double cellMedian = Latencies.percentile(cell, 50);
                double rawMedian = Latencies.percentile(raw, 50);
                System.out.printf("  ratio cell/raw (median): %.1fx, overhead %.3f ms%n", cellMedian / rawMedian, cellMedian - rawMedian);
            }
            System.out.println("\n== cells per second, one context, " + THROUGHPUT_CELLS + " cells queued ==");
            for (Language language : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
                System.out.printf("  %-12s %8.0f cells/s%n", language, throughput(pooled, language));
            }
            System.out.println("\n== idle memory, " + IDLE_CONTEXTS + " contexts each (private bytes per process) ==");
            for (Language language : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
                double mib = idlePrivateMiB(pooled, language);
                System.out.printf("  %-12s %6.1f MiB private per idle context -> %5.0f idle contexts per GB%n", language, mib, 1024 / mib);
            }
        }
    }

    private static double[] starts(RuntimeHost host, Language language, boolean letPoolRefill) throws Exception {
        double[] samples = new double[STARTS];
        List<Interpreter> opened = new ArrayList<>();
        try {
            for (int i = 0; i < STARTS; i++) {
                if (letPoolRefill) {
                    Thread.sleep(language == Language.PYTHON ? 50 : 250);
                }
                InterpreterSpec spec = spec(language);
                long t0 = System.nanoTime();
                opened.add(host.open(spec).get(30, TimeUnit.SECONDS));
                samples[i] = millis(System.nanoTime() - t0);
            }
        } finally {
            opened.forEach(Interpreter::close);
        }
        return samples;
    }

    private static double[] cellRoundTrips(RuntimeHost host, Language language) throws Exception {
        try (Interpreter interpreter = host.open(spec(language)).get(30, TimeUnit.SECONDS)) {
            ExecutionRequest trivial = ExecutionRequest.of("1");
            for (int i = 0; i < 200; i++) {
                interpreter.execute(trivial, e -> { }).get();
            }
            double[] samples = new double[ROUND_TRIPS];
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                interpreter.execute(trivial, e -> { }).get();
                samples[i] = millis(System.nanoTime() - t0);
            }
            return samples;
        }
    }

    /** The floor: the same interpreter program echoing length-prefixed frames over its stdin/stdout. */
    private static double[] rawPipeRoundTrips(InterpreterConfig config, Language language) throws IOException {
        List<String> command = language == Language.PYTHON
                ? List.of(config.python(), "-c", String.join("\n",
                        "import sys",
                        "i, o = sys.stdin.buffer, sys.stdout.buffer",
                        "while True:",
                        "    h = i.read(4)",
                        "    if len(h) < 4: break",
                        "    o.write(h + i.read(int.from_bytes(h, 'big'))); o.flush()"))
                : List.of(config.node(), "-e", String.join("\n",
                        "const fs = require('fs'); let buf = Buffer.alloc(0);",
                        "process.stdin.on('data', d => { buf = Buffer.concat([buf, d]);",
                        "  while (buf.length >= 4) { const n = buf.readUInt32BE(0); if (buf.length < 4 + n) break;",
                        "    fs.writeSync(1, buf.subarray(0, 4 + n)); buf = buf.subarray(4 + n); } });"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("NODE_EXTRA_CA_CERTS");
        Process process = builder.start();
        try (DataOutputStream out = new DataOutputStream(process.getOutputStream());
             DataInputStream in = new DataInputStream(process.getInputStream())) {
            byte[] payload = "{\"op\":\"exec\",\"id\":1,\"code\":\"1\"}".getBytes();
            double[] samples = new double[ROUND_TRIPS];
            for (int i = -200; i < ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                out.writeInt(payload.length);
                out.write(payload);
                out.flush();
                in.readFully(new byte[in.readInt()]);
                if (i >= 0) {
                    samples[i] = millis(System.nanoTime() - t0);
                }
            }
            return samples;
        } finally {
            process.destroyForcibly();
        }
    }

    private static double throughput(RuntimeHost host, Language language) throws Exception {
        try (Interpreter interpreter = host.open(spec(language)).get(30, TimeUnit.SECONDS)) {
            ExecutionRequest cell = ExecutionRequest.of(language == Language.PYTHON ? "x = 1" : "var x = 1");
            long t0 = System.nanoTime();
            List<CompletableFuture<ExecutionEvent.Completed>> all = new ArrayList<>();
            for (int i = 0; i < THROUGHPUT_CELLS; i++) {
                all.add(interpreter.execute(cell, e -> { }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            return THROUGHPUT_CELLS / (millis(System.nanoTime() - t0) / 1000);
        }
    }

    private static double idlePrivateMiB(RuntimeHost host, Language language) throws Exception {
        List<Interpreter> idle = new ArrayList<>();
        try {
            for (int i = 0; i < IDLE_CONTEXTS; i++) {
                Interpreter interpreter = host.open(spec(language)).get(30, TimeUnit.SECONDS);
                interpreter.execute(ExecutionRequest.of("1"), e -> { }).get();
                idle.add(interpreter);
            }
            Thread.sleep(500);
            long total = 0;
            for (Interpreter interpreter : idle) {
                total += privateBytes(interpreter.pid());
            }
            return total / (double) IDLE_CONTEXTS / (1 << 20);
        } finally {
            idle.forEach(Interpreter::close);
        }
    }

    /** Private_Clean + Private_Dirty: what the process does not share with the zygote or other processes. */
    private static long privateBytes(int pid) throws IOException {
        long kib = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (line.startsWith("Private_Clean:") || line.startsWith("Private_Dirty:")) {
                kib += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kib * 1024;
    }

    private static InterpreterSpec spec(Language language) throws IOException {
        return new InterpreterSpec(language, Files.createTempDirectory("codeshard-bench-"), Map.of());
    }

    private static void report(String what, double[] samples) {
        Latencies.report(what, 34, samples);
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
