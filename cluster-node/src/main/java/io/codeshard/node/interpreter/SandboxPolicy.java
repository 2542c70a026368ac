package io.codeshard.node.interpreter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node confines its interpreters (docs/isolation.md). Read by {@link #fromSystem()} from system
 * properties or the matching {@code CODESHARD_SANDBOX_*} environment variables.
 *
 * @param namespaces        per-sandbox user, own mount namespace (only its workspace, private /tmp, read-only
 *                          system, /proc of its own processes) and, without egress, own network namespace; needs root
 * @param network           whether user code may open connections beyond its own loopback
 * @param firstUid          first uid (and gid) of the range sandbox users are allocated from
 * @param uidCount          size of that range
 * @param memoryBytes       data segment limit of every interpreter process (RLIMIT_DATA); 0 = none
 * @param maxProcesses      processes and threads of one sandbox user (RLIMIT_NPROC); 0 = none; only with namespaces
 * @param maxOpenFiles      open files per process (RLIMIT_NOFILE); 0 = inherited
 * @param maxFileBytes      size of any one file written (RLIMIT_FSIZE); 0 = none
 * @param maxWorkspaceBytes disk used by a sandbox's directory, checked after every execution; 0 = none
 * @param tmpBytes          size of each context's private /tmp (tmpfs)
 * @param nice              niceness added to interpreter processes, so user code yields the CPU to the node
 */
public record SandboxPolicy(
        boolean namespaces,
        boolean network,
        int firstUid,
        int uidCount,
        long memoryBytes,
        int maxProcesses,
        int maxOpenFiles,
        long maxFileBytes,
        long maxWorkspaceBytes,
        long tmpBytes,
        int nice) {

    private static final Logger log = LoggerFactory.getLogger(SandboxPolicy.class);
    private static final long MIB = 1L << 20;

    /**
     * The policy from settings; namespaces are used when {@code codeshard.sandbox.isolation} is {@code auto}
     * (the default) and the node runs as root, or when it is {@code namespaces} (then root is required).
     */
    public static SandboxPolicy fromSystem() {
        String isolation = InterpreterConfig.setting("codeshard.sandbox.isolation", "auto").toLowerCase(Locale.ROOT);
        boolean namespaces = switch (isolation) {
            case "auto" -> {
                String missing = namespacesMissing();
                if (missing != null) {
                    log.warn("interpreters are NOT isolated from each other or from the node: {} (docs/isolation.md)", missing);
                }
                yield missing == null;
            }
            case "namespaces" -> {
                String missing = namespacesMissing();
                if (missing != null) {
                    throw new IllegalStateException("codeshard.sandbox.isolation = namespaces, but " + missing);
                }
                yield true;
            }
            case "none" -> false;
            default -> throw new IllegalArgumentException("codeshard.sandbox.isolation must be auto, namespaces or none: " + isolation);
        };
        String network = InterpreterConfig.setting("codeshard.sandbox.network", "none").toLowerCase(Locale.ROOT);
        if (!network.equals("none") && !network.equals("host")) {
            throw new IllegalArgumentException("codeshard.sandbox.network must be none or host: " + network);
        }
        return new SandboxPolicy(namespaces, network.equals("host"),
                intSetting("codeshard.sandbox.first-uid", 200_000),
                intSetting("codeshard.sandbox.uid-count", 65_536),
                longSetting("codeshard.sandbox.memory-mib", 2048) * MIB,
                intSetting("codeshard.sandbox.max-processes", 512),
                intSetting("codeshard.sandbox.max-open-files", 1024),
                longSetting("codeshard.sandbox.max-file-mib", 1024) * MIB,
                longSetting("codeshard.sandbox.max-workspace-mib", 4096) * MIB,
                longSetting("codeshard.sandbox.tmp-mib", 128) * MIB,
                intSetting("codeshard.sandbox.nice", 5));
    }

    /** A copy with other resource limits (tests set small ones). */
    public SandboxPolicy withLimits(long memoryBytes, int maxProcesses, int maxOpenFiles, long maxFileBytes, long maxWorkspaceBytes) {
        return new SandboxPolicy(namespaces, network, firstUid, uidCount, memoryBytes, maxProcesses, maxOpenFiles,
                maxFileBytes, maxWorkspaceBytes, tmpBytes, nice);
    }

    /** Whether network egress of user code is actually blocked (it can only be with namespaces). */
    public boolean egressBlocked() {
        return namespaces && !network;
    }

    /** One line for the node's log and health details: which isolation this node really runs with. */
    public String describe() {
        String limits = String.format(Locale.ROOT,
                "memory %s per process, open files %s per process, file size %s, workspace %s, processes %s",
                amount(memoryBytes), maxOpenFiles == 0 ? "inherited" : maxOpenFiles, amount(maxFileBytes),
                amount(maxWorkspaceBytes), namespaces && maxProcesses > 0 ? maxProcesses + " per sandbox" : "unlimited");
        if (namespaces) {
            return "namespaces: a user per sandbox (uids " + firstUid + ".." + (firstUid + uidCount - 1)
                    + "), only its own workspace visible, private /tmp, read-only system, network "
                    + (network ? "allowed" : "blocked (loopback only)") + "; " + limits;
        }
        return "process only (not root, or namespaces unavailable): interpreters run as the node's user with a scrubbed"
                + " environment; sandboxes are NOT isolated from each other or from the node, network egress is NOT"
                + " blocked; " + limits;
    }

    /**
     * A hint for an interpreter that ended by SIGABRT or SIGTRAP: V8 (and C libraries) abort when an allocation
     * fails, so with a memory limit that is the likely reason. Empty otherwise.
     */
    String exitHint(ExitStatus status) {
        if (memoryBytes <= 0 || status.signal() == null || (status.signal() != 6 && status.signal() != 5)) {
            return "";
        }
        return ", most likely out of memory: an interpreter process may use " + amount(memoryBytes)
                + " (codeshard.sandbox.memory-mib)";
    }

    /** What the zygote applies to every child it forks (see confinement.py). */
    ObjectNode zygoteArgument() {
        ObjectNode limits = Json.mapper().createObjectNode();
        if (memoryBytes > 0) {
            limits.put("memory", memoryBytes);
        }
        if (namespaces && maxProcesses > 0) {
            limits.put("processes", maxProcesses);
        }
        if (maxOpenFiles > 0) {
            limits.put("open_files", maxOpenFiles);
        }
        if (maxFileBytes > 0) {
            limits.put("file_size", maxFileBytes);
        }
        ObjectNode argument = Json.mapper().createObjectNode()
                .put("namespaces", namespaces).put("network", network).put("tmpBytes", tmpBytes);
        argument.set("rlimits", limits);
        return argument;
    }

    /** Why namespaces cannot be used here, or null when they can: root, and allowed to unshare (not in a container without CAP_SYS_ADMIN). */
    private static String namespacesMissing() {
        if (!runsAsRoot()) {
            return "the node does not run as root";
        }
        try {
            Process probe = new ProcessBuilder("unshare", "--mount", "--net", "--", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                return null;
            }
            probe.destroyForcibly();
            return "creating mount and network namespaces is not permitted (a container without CAP_SYS_ADMIN?)";
        } catch (IOException e) {
            return "the unshare command (util-linux) is missing";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while probing namespaces";
        }
    }

    /** Whether this JVM's effective user is root (the owner of /proc/self is the effective uid). */
    static boolean runsAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String amount(long bytes) {
        return bytes <= 0 ? "unlimited" : (bytes / MIB) + " MiB";
    }

    private static int intSetting(String property, int fallback) {
        return Integer.parseInt(InterpreterConfig.setting(property, String.valueOf(fallback)));
    }

    private static long longSetting(String property, long fallback) {
        return Long.parseLong(InterpreterConfig.setting(property, String.valueOf(fallback)));
    }
}
