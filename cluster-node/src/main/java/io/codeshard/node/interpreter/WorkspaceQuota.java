package io.codeshard.node.interpreter;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The disk limit of a sandbox's directory, checked after every execution (a soft quota: the cell that
 * crosses it completes, and is told; RLIMIT_FSIZE bounds any single file meanwhile). A directory found far
 * below the limit is not measured again for {@link #RECHECK_NANOS}, so large workspaces do not pay a walk
 * per cell.
 */
final class WorkspaceQuota {
    private static final long RECHECK_NANOS = 2_000_000_000L;

    private final long limitBytes;
    private final Map<Path, Long> relaxedUntil = new ConcurrentHashMap<>();

    WorkspaceQuota(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** Why the sandbox directory is over its limit, or empty when it is not (or there is no limit). */
    Optional<String> exceeded(Path root) {
        if (limitBytes <= 0) {
            return Optional.empty();
        }
        Long until = relaxedUntil.get(root);
        if (until != null && System.nanoTime() - until < 0) {
            return Optional.empty();
        }
        long used = usage(root);
        if (used < limitBytes / 2) {
            relaxedUntil.put(root, System.nanoTime() + RECHECK_NANOS);
        } else {
            relaxedUntil.remove(root);
        }
        if (used <= limitBytes) {
            return Optional.empty();
        }
        return Optional.of(String.format("the sandbox's files use %d MiB, more than its limit of %d MiB"
                        + " (codeshard.sandbox.max-workspace-mib): delete files before writing more",
                used >> 20, limitBytes >> 20));
    }

    /** Bytes of the directory's files, stopping a little past the limit (enough to know it is exceeded). */
    private long usage(Path root) {
        long[] total = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    total[0] += attributes.size();
                    return total[0] > limitBytes + 1 ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished meanwhile
                }
            });
        } catch (IOException e) {
            return total[0];
        }
        return total[0];
    }
}
