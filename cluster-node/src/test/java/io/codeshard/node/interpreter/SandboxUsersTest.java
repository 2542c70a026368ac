package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Allocation of sandbox users: one uid per sandbox directory, recorded by the directory's owner. */
class SandboxUsersTest {
    private static final SandboxPolicy POLICY = new SandboxPolicy(true, false, 300_000, 4, 0, 0, 0, 0, 0, 1 << 20, 0);

    @Test
    void eachSandboxGetsItsOwnUserAndKeepsItAcrossRestarts() throws Exception {
        Assumptions.assumeTrue(SandboxPolicy.runsAsRoot(), "needs root: only root can give directories to other users");
        Path sandboxes = Files.createTempDirectory("codeshard-users-");
        Path a = sandboxes.resolve("a");
        Path b = sandboxes.resolve("b");
        SandboxUsers users = new SandboxUsers(POLICY);
        int uidA = users.userOf(a);
        int uidB = users.userOf(b);
        assertNotEquals(uidA, uidB);
        assertTrue(uidA >= 300_000 && uidA < 300_004, String.valueOf(uidA));
        assertEquals(uidA, Files.getAttribute(a, "unix:uid"));
        assertEquals(uidA, Files.getAttribute(a, "unix:gid"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
        // a restarted node (a new allocator) finds the same users, and gives a new sandbox another one
        SandboxUsers restarted = new SandboxUsers(POLICY);
        assertEquals(uidB, restarted.userOf(b));
        int uidC = restarted.userOf(sandboxes.resolve("c"));
        assertNotEquals(uidA, uidC);
        assertNotEquals(uidB, uidC);
    }

    @Test
    void aDirectoryFromBeforeIsolationIsHandedOverWithItsFiles() throws Exception {
        Assumptions.assumeTrue(SandboxPolicy.runsAsRoot(), "needs root: only root can give directories to other users");
        Path root = Files.createTempDirectory("codeshard-users-").resolve("old");
        Path file = Files.createDirectories(root.resolve("workspace/data")).resolve("notes.txt");
        Files.writeString(file, "kept");
        Files.createSymbolicLink(root.resolve("workspace/etc"), Path.of("/etc"));
        int uid = new SandboxUsers(POLICY).userOf(root);
        assertEquals(uid, Files.getAttribute(file, "unix:uid"));
        assertEquals(uid, Files.getAttribute(root.resolve("workspace/etc"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, Files.getAttribute(Path.of("/etc"), "unix:uid"), "a symlink's target is never handed over");
    }
}
