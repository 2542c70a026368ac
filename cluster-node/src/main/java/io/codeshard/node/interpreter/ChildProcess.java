package io.codeshard.node.interpreter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Language;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected interpreter process: its pid, its socket, and a reader thread that hands every frame
 * to the current {@link Listener}. A child first sits in a pool with no listener that cares, then is
 * adopted by exactly one {@link Interpreter}.
 */
final class ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

    /** Receives a child's frames on its reader thread, and its end. */
    interface Listener {
        void onFrame(ChildProcess child, ObjectNode frame);

        void onClosed(ChildProcess child, IOException cause);
    }

    private static final Listener IDLE = new Listener() {
        @Override
        public void onFrame(ChildProcess child, ObjectNode frame) {
            log.warn("frame from idle interpreter {}: {}", child.pid, frame);
        }

        @Override
        public void onClosed(ChildProcess child, IOException cause) {}
    };

    final int pid;
    final Language.Runtime runtime;
    private final SocketChannel channel;
    private final Zygote zygote;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile Listener listener = IDLE;

    ChildProcess(int pid, Language.Runtime runtime, SocketChannel channel, Zygote zygote) {
        this.pid = pid;
        this.runtime = runtime;
        this.channel = channel;
        this.zygote = zygote;
    }

    /** Runs the reader loop on the calling thread until the channel ends. */
    void readUntilClosed() {
        IOException cause = null;
        try {
            while (true) {
                ObjectNode frame = Frames.read(channel);
                listener.onFrame(this, frame); // read the listener after the frame: it changes while we block
            }
        } catch (EOFException e) {
            // the process ended or closed its socket
        } catch (IOException e) {
            cause = e;
        } finally {
            closeChannel();
            closed.complete(null);
            listener.onClosed(this, cause);
        }
    }

    void listen(Listener newListener) {
        this.listener = newListener;
    }

    boolean isOpen() {
        return channel.isOpen() && !closed.isDone();
    }

    /** Sends one frame; false when the process is already gone (its end is reported through the listener). */
    boolean send(ObjectNode frame) {
        try {
            synchronized (channel) {
                Frames.write(channel, frame);
            }
            return true;
        } catch (IOException e) {
            closeChannel();
            return false;
        }
    }

    /** Interrupts the running cell (SIGINT to the process group). */
    void interrupt() {
        zygote.signal(pid, Zygote.SIGINT);
    }

    /** Kills the process group at once; the listener then sees the channel close. */
    void kill() {
        if (zygote.isAlive()) {
            zygote.signal(pid, Zygote.SIGKILL);
        }
        closeChannel();
    }

    CompletableFuture<ExitStatus> exitStatus() {
        return zygote.exitOf(pid);
    }

    void forget() {
        zygote.forget(pid);
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
