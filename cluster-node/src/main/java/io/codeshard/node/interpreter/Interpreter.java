package io.codeshard.node.interpreter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.ResultBundle;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A code context's interpreter: one OS process at a time (an <em>incarnation</em>) running the
 * context's cells one after another. Events of a cell reach the caller's sink as they happen, on
 * the interpreter's reader thread, always starting with {@code Started} and ending with
 * {@code Completed}. The interpreter survives its process: after a crash, a timeout kill or a
 * restart the next cell runs in a fresh process, and a {@code state_reset} notice says that
 * in-memory state is gone.
 *
 * <p>Sinks must not block: they run while the interpreter holds its lock.
 */
public final class Interpreter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Interpreter.class);
    private static final long EXIT_STATUS_WAIT_MS = 1000;
    /** Output beyond the runtime's own cap plus this slack is dropped here too, in case a process ignores its cap. */
    private static final long OUTPUT_SLACK_BYTES = 1 << 20;

    private final RuntimeHost host;
    private final InterpreterSpec spec;
    private final Object lock = new Object();
    private final ArrayDeque<Run> queue = new ArrayDeque<>();
    private Incarnation incarnation;
    private Run current;
    private int executionCount;
    /** Told to the next cell that starts (a reset or a replay of the context's state), then forgotten. */
    private ExecutionEvent.Notice pendingNotice;
    private boolean closed;

    Interpreter(RuntimeHost host, InterpreterSpec spec, int executionsSoFar) {
        this.host = host;
        this.spec = spec;
        this.executionCount = executionsSoFar;
    }

    public InterpreterSpec spec() {
        return spec;
    }

    /** Cells started so far (including those of earlier incarnations and of a restored context). */
    public int executionCount() {
        synchronized (lock) {
            return executionCount;
        }
    }

    /** The current process id, or -1 when no process is running (for status and tests). */
    public int pid() {
        synchronized (lock) {
            return incarnation != null && incarnation.ready.isDone() && !incarnation.ready.isCompletedExceptionally()
                    ? incarnation.ready.join().pid : -1;
        }
    }

    /**
     * Queues a cell. Its events go to {@code sink} as they happen; the future completes with the
     * final {@code Completed} event after it was delivered.
     */
    public CompletableFuture<ExecutionEvent.Completed> execute(ExecutionRequest request, Consumer<ExecutionEvent> sink) {
        Run run = new Run(request, sink);
        synchronized (lock) {
            if (closed) {
                run.done.completeExceptionally(new IllegalStateException("the interpreter is closed"));
                return run.done;
            }
            queue.add(run);
            if (current == null) {
                startNext();
            }
        }
        return run.done;
    }

    /**
     * Makes the next cell start with a {@code state_reset} notice: the context existed before this
     * interpreter (the service restarted, or the context moved node), and its in-memory state is gone.
     */
    public void announceReset(String reason) {
        announce(resetNotice(reason));
    }

    /** Makes the next cell start with {@code notice} (e.g. that the context's state was rebuilt by a replay). */
    public void announce(ExecutionEvent.Notice notice) {
        synchronized (lock) {
            pendingNotice = notice;
        }
    }

    private static ExecutionEvent.Notice resetNotice(String reason) {
        return new ExecutionEvent.Notice("state_reset",
                "The interpreter was restarted because " + reason + ": variables, imports and functions of earlier executions are gone.");
    }

    /** Interrupts the running cell, if any (a client went away); it ends with a KeyboardInterrupt-like error. */
    public void interrupt() {
        synchronized (lock) {
            if (current != null && current.incarnation != null) {
                current.interrupted = true;
                stop(current);
            }
        }
    }

    /**
     * Replaces the process with a fresh one: all in-memory state is dropped. A running cell ends with
     * an error; queued cells run in the new process. Completes when the new process is ready.
     */
    public CompletableFuture<Void> restart() {
        synchronized (lock) {
            Incarnation old = incarnation;
            Incarnation fresh = launchIncarnation();
            if (current != null) {
                Run run = current;
                run.emit(new ExecutionEvent.Error("ContextRestarting", "The context was restarted while this execution was running", List.of()));
                finish(run);
            }
            if (old != null) {
                old.end();
            }
            pendingNotice = null;
            return fresh.ready.thenApply(child -> null);
        }
    }

    /** Ends the process; queued and running cells end with an error. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ExecutionEvent.Error gone = new ExecutionEvent.Error("ContextDeleted", "The context was deleted", List.of());
            if (current != null) {
                current.emit(gone);
                finish(current);
            }
            for (Run run; (run = queue.poll()) != null; ) {
                run.emit(new ExecutionEvent.Started(++executionCount));
                run.emit(gone);
                run.done.complete(run.complete(executionCount));
            }
            if (incarnation != null) {
                incarnation.end();
                incarnation = null;
            }
        }
    }

    /** Starts the first process; completes when it can run a cell. */
    CompletableFuture<Void> launch() {
        return launchIncarnation().ready.thenApply(child -> null);
    }

    /** Starts a new process for this context; its {@code ready} completes when it answered {@code init}. */
    private Incarnation launchIncarnation() {
        synchronized (lock) {
            Incarnation fresh = new Incarnation();
            incarnation = fresh;
            host.acquire(spec).whenComplete((child, failure) -> {
                if (failure != null) {
                    fresh.ready.completeExceptionally(failure);
                } else {
                    fresh.adopt(child);
                }
            });
            return fresh;
        }
    }

    // ---- running cells (all under lock) ----

    private void startNext() {
        if (current != null || closed) {
            return;
        }
        Run run = queue.poll();
        if (run == null) {
            return;
        }
        current = run;
        run.count = ++executionCount;
        run.startedNanos = System.nanoTime();
        if (incarnation == null || incarnation.ended.get()) {
            launchIncarnation();
        }
        Incarnation target = incarnation;
        run.incarnation = target;
        run.emit(new ExecutionEvent.Started(run.count));
        target.ready.whenComplete((child, failure) -> dispatch(run, target, child, failure));
    }

    private void dispatch(Run run, Incarnation target, ChildProcess child, Throwable failure) {
        synchronized (lock) {
            if (current != run) {
                return;
            }
            if (failure != null) {
                if (incarnation == target) {
                    incarnation = null;
                }
                run.emit(new ExecutionEvent.Error("InterpreterUnavailable", rootMessage(failure), List.of()));
                finish(run);
                return;
            }
            if (pendingNotice != null) {
                run.emit(pendingNotice);
                pendingNotice = null;
            }
            Duration timeout = run.request.timeout() != null ? run.request.timeout() : host.config().defaultTimeout();
            ObjectNode exec = Json.mapper().createObjectNode()
                    .put("op", "exec").put("id", run.count).put("code", run.request.code()).put("timeoutMs", timeout.toMillis());
            exec.set("env", Json.mapper().valueToTree(run.request.env()));
            run.timeoutTask = host.timers().schedule(() -> onTimeout(run), timeout.toMillis(), TimeUnit.MILLISECONDS);
            child.send(exec); // a dead process is reported through onEnded
        }
    }

    private void onFrame(Incarnation from, ObjectNode frame) {
        synchronized (lock) {
            Run run = current;
            if (run == null || run.incarnation != from || frame.path("id").asInt(-1) != run.count) {
                return; // late output of a cell that already ended
            }
            switch (frame.path("ev").asText()) {
                case "stdout" -> run.output(frame.path("text").asText(), false, host.config().maxOutputBytes());
                case "stderr" -> run.output(frame.path("text").asText(), true, host.config().maxOutputBytes());
                case "result" -> run.emit(new ExecutionEvent.Result(bundle(frame.path("bundle")), frame.path("main").asBoolean()));
                case "error" -> run.emit(translate(run, new ExecutionEvent.Error(
                        frame.path("name").asText(), frame.path("value").asText(), lines(frame.path("traceback")))));
                case "done" -> {
                    host.diskQuotaExceeded(spec).ifPresent(reason -> reportLimit(run, "DiskQuotaExceeded", reason));
                    finish(run);
                }
                default -> log.warn("unexpected frame from interpreter: {}", frame.path("ev").asText());
            }
        }
    }

    /** The process of an incarnation ended (crash, kill, exit). Called on its reader thread, which may wait. */
    private void onEnded(Incarnation ended) {
        ExitStatus status = ExitStatus.UNKNOWN;
        if (ended.child != null) {
            try {
                status = ended.child.exitStatus().get(EXIT_STATUS_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.debug("no exit status for {}", ended.child.pid);
            }
            ended.child.forget();
        }
        synchronized (lock) {
            if (incarnation != ended || closed) {
                return; // replaced on purpose (restart, close)
            }
            incarnation = null;
            Run run = current;
            String how = (spec.language().runtime() == io.codeshard.protocol.Language.Runtime.PYTHON ? "Python" : "Node")
                    + " process " + status.describe();
            String hint = host.config().sandbox().exitHint(status);
            if (run != null && run.incarnation == ended) {
                if (run.killed) {
                    Duration timeout = run.request.timeout() != null ? run.request.timeout() : host.config().defaultTimeout();
                    run.emit(new ExecutionEvent.Error(run.interrupted ? "KeyboardInterrupt" : "TimeoutError",
                            (run.interrupted ? "Execution was interrupted" : "Execution timed out after " + timeout.toMillis() + " ms")
                                    + " and did not stop within " + host.config().interruptGrace().toMillis()
                                    + " ms, so the interpreter was killed and restarted: in-memory state was lost", List.of()));
                    pendingNotice = resetNotice(run.interrupted ? "an interrupted execution did not stop" : "an execution timed out and did not stop");
                } else {
                    run.emit(new ExecutionEvent.Error("ContextRestarting",
                            "The interpreter " + how.substring(how.indexOf("process ") + 8) + " during this execution"
                                    + " (" + how + hint + "); it is restarted for the next execution and in-memory state was lost", List.of()));
                    pendingNotice = resetNotice("the previous " + how + hint);
                }
                finish(run);
            } else {
                pendingNotice = resetNotice("its " + how + " while idle" + hint);
            }
        }
    }

    /** A limit the cell ran into: its error when it has none yet, else a notice (a cell has at most one error). */
    private static void reportLimit(Run run, String name, String reason) {
        if (run.errorSent) {
            run.emit(new ExecutionEvent.Notice("limit_exceeded", name + ": " + reason));
        } else {
            run.emit(new ExecutionEvent.Error(name, reason, List.of()));
        }
    }

    private void onTimeout(Run run) {
        synchronized (lock) {
            if (current == run) {
                run.timedOut = true;
                stop(run);
            }
        }
    }

    /** SIGINT now; SIGKILL if the cell has not ended after the grace period. */
    private void stop(Run run) {
        if (run.graceTask != null) {
            return;
        }
        Incarnation target = run.incarnation;
        if (target.child != null) {
            target.child.interrupt();
        }
        run.graceTask = host.timers().schedule(() -> {
            synchronized (lock) {
                if (current == run && target.child != null) {
                    run.killed = true;
                    target.child.kill();
                }
            }
        }, host.config().interruptGrace().toMillis(), TimeUnit.MILLISECONDS);
    }

    private ExecutionEvent.Error translate(Run run, ExecutionEvent.Error error) {
        boolean interruption = List.of("KeyboardInterrupt", "Interrupted", "TimeoutError").contains(error.name());
        if (run.timedOut && !run.interrupted && interruption) {
            Duration timeout = run.request.timeout() != null ? run.request.timeout() : host.config().defaultTimeout();
            return new ExecutionEvent.Error("TimeoutError", "Execution timed out after " + timeout.toMillis() + " ms", error.traceback());
        }
        return error;
    }

    private void finish(Run run) {
        if (run.timeoutTask != null) {
            run.timeoutTask.cancel(false);
        }
        if (run.graceTask != null) {
            run.graceTask.cancel(false);
        }
        current = null;
        ExecutionEvent.Completed completed = run.complete(run.count);
        startNext();
        run.done.complete(completed); // last: a caller reacting to it finds the interpreter consistent
    }

    private static ResultBundle bundle(JsonNode node) {
        try {
            return Json.mapper().treeToValue(node, ResultBundle.class);
        } catch (JsonProcessingException e) {
            return ResultBundle.ofText(node.toString());
        }
    }

    private static List<String> lines(JsonNode node) {
        List<String> lines = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(line -> lines.add(line.asText()));
        } else if (node.isTextual()) {
            lines.addAll(List.of(node.asText().split("\n")));
        }
        return lines;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** One process of this interpreter, from adoption to its end. */
    private final class Incarnation implements ChildProcess.Listener {
        final CompletableFuture<ChildProcess> ready = new CompletableFuture<>();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile ChildProcess child;

        void adopt(ChildProcess adopted) {
            child = adopted;
            if (ended.get()) {
                adopted.kill(); // replaced (restart, close) while the process was being acquired
                return;
            }
            adopted.listen(this);
            if (!adopted.isOpen() || !adopted.send(host.initFrame(spec))) {
                onClosed(adopted, null);
            }
        }

        /** Ends this process on purpose (restart, close): nobody is told it crashed. */
        void end() {
            ended.set(true);
            ready.completeExceptionally(new InterpreterUnavailableException("the interpreter was replaced", null));
            if (child != null) {
                child.kill(); // a process still being acquired is killed by adopt()
            }
        }

        @Override
        public void onFrame(ChildProcess from, ObjectNode frame) {
            switch (frame.path("ev").asText()) {
                case "ready" -> ready.complete(from);
                case "init_failed" -> {
                    ready.completeExceptionally(new InterpreterUnavailableException(frame.path("message").asText(), null));
                    from.kill();
                }
                default -> Interpreter.this.onFrame(this, frame);
            }
        }

        @Override
        public void onClosed(ChildProcess from, IOException cause) {
            if (ended.getAndSet(true)) {
                return;
            }
            if (cause != null) {
                log.warn("interpreter {} channel failed: {}", from.pid, cause.toString());
                from.kill();
            }
            ready.completeExceptionally(new InterpreterUnavailableException("the interpreter process ended before it was ready", cause));
            onEnded(this);
        }
    }

    /** One queued or running cell. */
    private static final class Run {
        final ExecutionRequest request;
        final Consumer<ExecutionEvent> sink;
        final CompletableFuture<ExecutionEvent.Completed> done = new CompletableFuture<>();
        Incarnation incarnation;
        int count;
        long startedNanos = System.nanoTime();
        long outputBytes;
        boolean errorSent;
        boolean timedOut;
        boolean interrupted;
        boolean killed;
        ScheduledFuture<?> timeoutTask;
        ScheduledFuture<?> graceTask;

        Run(ExecutionRequest request, Consumer<ExecutionEvent> sink) {
            this.request = request;
            this.sink = sink;
        }

        void output(String text, boolean stderr, long cap) {
            outputBytes += text.length();
            if (outputBytes <= cap + OUTPUT_SLACK_BYTES) {
                emit(stderr ? new ExecutionEvent.Stderr(text, Instant.now()) : new ExecutionEvent.Stdout(text, Instant.now()));
            }
        }

        /** Delivers an event; only the first error of a cell is passed on. */
        void emit(ExecutionEvent event) {
            if (event instanceof ExecutionEvent.Error) {
                if (errorSent) {
                    return;
                }
                errorSent = true;
            }
            try {
                sink.accept(event);
            } catch (RuntimeException e) {
                log.warn("execution event sink failed", e);
            }
        }

        /** Emits the terminal event; the caller completes {@link #done} once the interpreter moved on. */
        ExecutionEvent.Completed complete(int executionCount) {
            ExecutionEvent.Completed completed = new ExecutionEvent.Completed(executionCount,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
            emit(completed);
            return completed;
        }
    }
}
