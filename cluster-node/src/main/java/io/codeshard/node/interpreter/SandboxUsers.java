package io.codeshard.node.interpreter;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The unprivileged users sandboxes run as, when the node runs as root: one uid (and gid of the same
 * number) per sandbox directory, from the policy's range. The sandbox directory's owner <em>is</em> the
 * record of the allocation, so it survives restarts of the node and needs no table; a new sandbox takes
 * the first uid not owning a sibling directory, starting from a hash of its path.
 */
final class SandboxUsers {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final int firstUid;
    private final int uidCount;
    private final Map<Path, Integer> byRoot = new HashMap<>();
    private final Set<Integer> taken = new HashSet<>();
    private final Set<Path> scanned = new HashSet<>();

    SandboxUsers(SandboxPolicy policy) {
        this.firstUid = policy.firstUid();
        this.uidCount = policy.uidCount();
    }

    /**
     * The uid of the sandbox rooted at {@code root}: creates the directory if needed, owned by that user
     * with mode 0700, so no other sandbox can enter it. A directory that predates isolation is handed over
     * (recursively) on first use.
     */
    synchronized int userOf(Path root) throws IOException {
        Integer known = byRoot.get(root);
        if (known != null && Files.isDirectory(root, NOFOLLOW)) {
            return known;
        }
        Files.createDirectories(root.getParent());
        scanSiblings(root.getParent());
        if (!Files.exists(root, NOFOLLOW)) {
            Files.createDirectory(root);
        }
        if (!Files.isDirectory(root, NOFOLLOW)) {
            throw new IOException(root + " is not a directory");
        }
        int owner = (Integer) Files.getAttribute(root, "unix:uid", NOFOLLOW);
        int uid = inRange(owner) && !claimedByAnother(owner, root) ? owner : allocate(root);
        if (uid != owner) {
            handOver(root, uid);
        }
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        byRoot.put(root, uid);
        taken.add(uid);
        return uid;
    }

    private boolean inRange(int uid) {
        return uid >= firstUid && uid < firstUid + uidCount;
    }

    private boolean claimedByAnother(int uid, Path root) {
        return byRoot.entrySet().stream().anyMatch(e -> e.getValue() == uid && !e.getKey().equals(root));
    }

    /** Sandboxes on this node that already own a uid (once per parent directory). */
    private void scanSiblings(Path parent) throws IOException {
        if (!scanned.add(parent)) {
            return;
        }
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent)) {
            for (Path sibling : siblings) {
                int owner = (Integer) Files.getAttribute(sibling, "unix:uid", NOFOLLOW);
                if (inRange(owner)) {
                    taken.add(owner);
                }
            }
        }
    }

    private int allocate(Path root) throws IOException {
        int start = Math.floorMod(root.toString().hashCode(), uidCount);
        for (int i = 0; i < uidCount; i++) {
            int uid = firstUid + (start + i) % uidCount;
            if (!taken.contains(uid)) {
                return uid;
            }
        }
        throw new IOException("all " + uidCount + " sandbox uids from " + firstUid + " are in use");
    }

    /** Makes every file of the tree the sandbox user's (symlinks themselves, never what they point to). */
    private static void handOver(Path root, int uid) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                own(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                own(file);
                return FileVisitResult.CONTINUE;
            }

            private void own(Path path) throws IOException {
                Files.setAttribute(path, "unix:uid", uid, NOFOLLOW);
                Files.setAttribute(path, "unix:gid", uid, NOFOLLOW);
            }
        });
    }
}
