package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.protocol.Language;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * User code trying to reach what it must not: the node's secrets, other sandboxes, the node's and other
 * contexts' processes, the network. Each attempt is contained, and the node keeps serving afterwards.
 * Everything here is enforced by the per-sandbox user and namespaces, i.e. when the node runs as root.
 */
class SandboxEscapeTest {
    private static final long JVM_PID = ProcessHandle.current().pid();

    /** Python: tries each access in the list and answers what happened to each, 'READ' when it worked. */
    private static String probes(String... expressions) {
        return "def probe(action):\n"
                + "    try:\n"
                + "        action()\n"
                + "        return 'READ'\n"
                + "    except Exception as e:\n"
                + "        return type(e).__name__\n"
                + "[" + String.join(", ", Arrays.stream(expressions).map(e -> "probe(lambda: " + e + ")").toList()) + "]";
    }

    @Test
    void pythonCannotReadTheNodesSecrets() throws Exception {
        Sandboxes.assumeNamespaces();
        Path journal = Files.createDirectories(Sandboxes.dataDir().resolve("journal")).resolve("codeshard.mv.db");
        Files.writeString(journal, "journal password and every context's code");
        try (Interpreter python = Sandboxes.open("secrets", Language.PYTHON)) {
            String answers = Cell.run(python, probes(
                    "open('/proc/1/environ', 'rb').read()",
                    "open('/proc/" + JVM_PID + "/environ', 'rb').read()",
                    "open('/proc/" + JVM_PID + "/cmdline', 'rb').read()",
                    "open('" + journal + "', 'rb').read()",
                    "__import__('os').listdir('" + journal.getParent() + "')")).ok().main().text();
            assertFalse(answers.contains("READ"), answers);
            assertEquals("[]", Cell.run(python, "import os\n[k for k in os.environ if k.startswith(('CODESHARD', 'JAVA'))]").ok().main().text());
            // setuid programs do not raise privileges (no_new_privs): su cannot become root even if it wanted to
            assertEquals("'1'", Cell.run(python, "[l.split()[1] for l in open('/proc/self/status') if l.startswith('NoNewPrivs')][0]").ok().main().text());
        }
        Sandboxes.assertNodeServes(Language.PYTHON);
    }

    @Test
    void javascriptCannotReadTheNodesSecrets() {
        Sandboxes.assumeNamespaces();
        try (Interpreter js = Sandboxes.open("secrets-js", Language.JAVASCRIPT)) {
            String answers = Cell.run(js, "['/proc/1/environ', '/proc/" + JVM_PID + "/environ'].map(p => {"
                    + " try { fs.readFileSync(p); return 'READ' } catch (e) { return e.code } })").ok().main().text();
            assertFalse(answers.contains("READ"), answers);
        }
        Sandboxes.assertNodeServes(Language.JAVASCRIPT);
    }

    @Test
    void aSandboxCannotReadOrWriteAnothersFilesButItsOwnContextsShareThem() {
        Sandboxes.assumeNamespaces();
        Path otherWorkspace = Sandboxes.root("victim").resolve("workspace");
        try (Interpreter victim = Sandboxes.open("victim", Language.PYTHON);
             Interpreter intruder = Sandboxes.open("intruder", Language.PYTHON);
             Interpreter intrudersJs = Sandboxes.open("intruder", Language.JAVASCRIPT)) {
            Cell.run(victim, "open('secret.txt', 'w').write('victim data')").ok();
            Cell.run(intruder, "open('mine.txt', 'w').write('shared within the sandbox')").ok();
            String answers = Cell.run(intruder, probes(
                    "open('" + otherWorkspace.resolve("secret.txt") + "').read()",
                    "open('" + otherWorkspace.resolve("planted.txt") + "', 'w').write('x')",
                    "__import__('os').listdir('" + otherWorkspace + "')")).ok().main().text();
            assertFalse(answers.contains("READ"), answers);
            assertEquals("['intruder']", Cell.run(intruder, "import os\nos.listdir('" + Sandboxes.root("intruder").getParent() + "')").ok().main().text());
            assertEquals("'shared within the sandbox'", Cell.run(intrudersJs, "fs.readFileSync('mine.txt', 'utf8')").ok().main().text());
            String js = Cell.run(intrudersJs, "(() => { try { return fs.readFileSync('" + otherWorkspace.resolve("secret.txt")
                    + "', 'utf8') } catch (e) { return e.code } })()").ok().main().text();
            assertTrue(js.equals("'ENOENT'") || js.equals("'EACCES'"), js);
            assertEquals("'victim data'", Cell.run(victim, "open('secret.txt').read()").ok().main().text());
            // /tmp is private: nothing passes through it, and the system itself is read-only
            Cell.run(intruder, "open('/tmp/drop-" + JVM_PID + "', 'w').write('x')").ok();
            String seen = Cell.run(victim, probes("open('/tmp/drop-" + JVM_PID + "').read()", "open('/usr/drop', 'w')")).ok().main().text();
            assertFalse(seen.contains("READ"), seen);
        }
        assertFalse(Files.exists(Path.of("/tmp/drop-" + JVM_PID)));
        assertFalse(Files.exists(otherWorkspace.resolve("planted.txt")));
    }

    @Test
    void userCodeCannotKillTheNodeOrAnotherSandboxsContext() {
        Sandboxes.assumeNamespaces();
        try (Interpreter victim = Sandboxes.open("kill-victim", Language.PYTHON);
             Interpreter killer = Sandboxes.open("killer", Language.PYTHON);
             Interpreter jsKiller = Sandboxes.open("killer", Language.JAVASCRIPT)) {
            Cell.run(victim, "state = 'alive'").ok();
            String answers = Cell.run(killer, probes(
                    "__import__('os').kill(" + JVM_PID + ", 9)",
                    "__import__('os').kill(" + victim.pid() + ", 9)",
                    "__import__('os').killpg(" + victim.pid() + ", 9)")).ok().main().text();
            assertEquals(3, answers.split(",").length, answers);
            assertFalse(answers.contains("READ"), answers); // 'READ' here means the signal was delivered
            String js = Cell.run(jsKiller, "(() => { try { process.kill(" + JVM_PID + ", 'SIGKILL'); return 'killed' } catch (e) { return e.code } })()").ok().main().text();
            assertEquals("'EPERM'", js);
            // kill(-1) reaches every process the sandbox's user may signal: only the sandbox's own
            Cell.run(killer, "import os\nos.kill(-1, 9)");
            assertEquals("'alive'", Cell.run(victim, "state").ok().main().text());
        }
        Sandboxes.assertNodeServes(Language.PYTHON);
    }

    @Test
    void networkEgressIsBlockedByDefault() throws Exception {
        Sandboxes.assumeNamespaces();
        Assumptions.assumeTrue(Sandboxes.host().config().sandbox().egressBlocked(),
                "this deployment allows egress (codeshard.sandbox.network = host)");
        try (ServerSocket nodePort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Interpreter python = Sandboxes.open("egress", Language.PYTHON)) {
            String answers = Cell.run(python, "import socket\n" + probes(
                    "socket.create_connection(('127.0.0.1', " + nodePort.getLocalPort() + "), timeout=2)",
                    "socket.create_connection(('1.1.1.1', 53), timeout=2)")).ok().main().text();
            assertFalse(answers.contains("READ"), answers);
            // its own loopback works: a server and a client in the same context
            String loopback = Cell.run(python, "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
                    + "c = socket.create_connection(s.getsockname(), timeout=2); c.close(); s.close(); 'ok'").ok().main().text();
            assertEquals("'ok'", loopback);
        }
        assertTrue(Sandboxes.host().isServing());
    }
}
