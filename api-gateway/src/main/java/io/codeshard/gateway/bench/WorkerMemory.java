package io.codeshard.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The memory of worker JVMs and of their interpreter processes (every descendant: zygotes, pooled and context
 * children), read from {@code /proc}. A JVM's peak is the kernel's own high-water mark ({@code VmHWM}); the
 * interpreters' peak is the largest sum seen by sampling, as RSS (which counts pages shared copy-on-write with the
 * zygote once per process) and as PSS (which splits them, so it adds up to the memory really used).
 */
final class WorkerMemory implements AutoCloseable {
    private static final long SAMPLE_EVERY_MS = 250;

    private final List<Long> workerPids;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "worker-memory");
        thread.setDaemon(true);
        return thread;
    });
    private long peakRssKb;
    private long peakPssKb;
    private List<Integer> peakProcesses = List.of();

    WorkerMemory(List<Long> workerPids) {
        this.workerPids = List.copyOf(workerPids);
        sampler.scheduleAtFixedRate(this::sample, 0, SAMPLE_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    /** What was measured, for the report. */
    record Peak(long jvmHwmKb, long interpretersRssKb, long interpretersPssKb, List<Integer> processesPerWorker, int workers) {
        String describe() {
            if (workers == 0) {
                return "worker memory: not measured (no worker pid: pass --worker-pids)";
            }
            int processes = processesPerWorker.stream().mapToInt(Integer::intValue).sum();
            return String.format("worker peak memory: JVM%s VmHWM %s; interpreters %s RSS summed (%s PSS) over %d processes%s at the peak",
                    workers > 1 ? "s (" + workers + ", summed)" : "", mib(jvmHwmKb), mib(interpretersRssKb), mib(interpretersPssKb),
                    processes, processesPerWorker.size() > 1 ? " " + processesPerWorker : "");
        }

        private static String mib(long kb) {
            return kb >= 10 * 1024 * 1024 ? String.format("%.1f GiB", kb / 1024.0 / 1024.0) : String.format("%d MiB", kb / 1024);
        }
    }

    synchronized Peak peak() {
        sample();
        long hwm = workerPids.stream().mapToLong(pid -> statusField(pid, "VmHWM").orElse(0L)).sum();
        return new Peak(hwm, peakRssKb, peakPssKb, peakProcesses, (int) workerPids.stream().filter(WorkerMemory::alive).count());
    }

    private synchronized void sample() {
        long rss = 0;
        long pss = 0;
        List<Integer> processes = new java.util.ArrayList<>();
        for (long pid : workerPids) {
            int count = 0;
            Optional<ProcessHandle> worker = ProcessHandle.of(pid);
            for (ProcessHandle child : worker.map(w -> (Iterable<ProcessHandle>) w.descendants()::iterator).orElse(List.of())) {
                Optional<Long> childRss = statusField(child.pid(), "VmRSS");
                if (childRss.isPresent()) {
                    rss += childRss.get();
                    pss += rollupField(child.pid(), "Pss").orElse(0L);
                    count++;
                }
            }
            processes.add(count);
        }
        if (rss > peakRssKb) {
            peakRssKb = rss;
            peakPssKb = pss;
            peakProcesses = processes;
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** A {@code kB} field of {@code /proc/<pid>/status}. */
    private static Optional<Long> statusField(long pid, String name) {
        return kbField(Path.of("/proc", String.valueOf(pid), "status"), name);
    }

    /** A {@code kB} field of {@code /proc/<pid>/smaps_rollup}. */
    private static Optional<Long> rollupField(long pid, String name) {
        return kbField(Path.of("/proc", String.valueOf(pid), "smaps_rollup"), name);
    }

    private static Optional<Long> kbField(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name + ":")) {
                    return Optional.of(Long.parseLong(line.substring(name.length() + 1).replace("kB", "").trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended meanwhile, or is not ours to read
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
