package io.codeshard.node.bench;

import java.util.Arrays;

/** Latency samples in milliseconds, as every benchmark reports them: median and p99 on one line. */
public final class Latencies {
    private Latencies() {}

    /** One line: {@code what}, left-aligned in {@code labelWidth} characters, then median and p99. */
    public static void report(String what, int labelWidth, double[] samples) {
        System.out.printf("  %-" + labelWidth + "s median %8.3f ms   p99 %8.3f ms%n", what, percentile(samples, 50), percentile(samples, 99));
    }

    /** The nearest-rank percentile {@code p} (0-100) of the samples. */
    public static double percentile(double[] samples, double p) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }
}
