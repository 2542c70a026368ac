package io.codeshard.gateway.e2b;

import io.codeshard.gateway.tenant.Tenant;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextNotFoundException;
import io.codeshard.node.context.ContextService;
import io.codeshard.node.context.ContextSettings;
import io.codeshard.protocol.Language;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * E2B's sandboxes on codeshard: each E2B sandbox is one codeshard sandbox (its own contexts and workspace),
 * named by the id the control plane hands out. Ids here are the cluster's, in the tenant's namespace
 * ({@link Tenant#sandboxId}); the routes show clients their own. What E2B keeps per sandbox and codeshard does not:
 *
 * <ul>
 *   <li><b>Sandbox env vars</b> ({@code envs} at create) apply to every context of the sandbox. They are
 *       written into the sandbox's two default contexts, which are created with the sandbox: those are
 *       persisted entities, so the env vars survive a restart of the service and are seen by every
 *       gateway. The map here is a cache of them; a sandbox whose default contexts were both deleted has
 *       lost them.</li>
 *   <li><b>Killed sandboxes</b>: after {@code DELETE /sandboxes/{id}} the sandbox's contexts are deleted
 *       and its data plane answers 502 as E2B's does for a dead sandbox. That mark is in this gateway's
 *       memory only (bounded): another gateway, or this one after a restart, sees an empty sandbox.</li>
 *   <li>Sandbox metadata (template, timestamps, metadata) for {@code GET /sandboxes/{id}}: memory only.</li>
 * </ul>
 *
 * A sandbox the control plane never created (E2B's debug mode uses {@code debug_sandbox_id}) is still
 * served: codeshard sandboxes exist as soon as a context is created in them.
 */
final class E2bSandboxes {
    /** E2B's default working directory of contexts, a folder under the sandbox's root (docs/api.md). */
    static final String DEFAULT_CWD = "/home/user";
    /** The envd version announced to the SDK (it refuses < 0.1.0). */
    static final String ENVD_VERSION = "0.2.0";
    static final String DEFAULT_TEMPLATE = "code-interpreter-v1";
    private static final long DEFAULT_TIMEOUT_SECONDS = 300;
    private static final int MAX_KILLED_REMEMBERED = 100_000;
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** A sandbox as the control plane describes it. */
    record Info(String id, String templateId, String clientId, Map<String, String> metadata, Instant startedAt,
                Instant endAt, String envdAccessToken) {
        Info withEndAt(Instant end) {
            return new Info(id, templateId, clientId, metadata, startedAt, end, envdAccessToken);
        }
    }

    private final ContextService contexts;
    private final ContextDefaults defaults;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Info> created = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> envCache = new ConcurrentHashMap<>();
    private final Set<String> defaultsReady = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> killed = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_KILLED_REMEMBERED;
        }
    });

    E2bSandboxes(ContextService contexts, ContextDefaults defaults) {
        this.contexts = contexts;
        this.defaults = defaults;
    }

    // ---- control plane ----

    /**
     * Creates a sandbox of {@code tenant}: a fresh id, its env vars, and its default python and javascript contexts
     * (in that order).
     */
    CompletionStage<Info> create(Tenant tenant, String templateId, Map<String, String> envs, Map<String, String> metadata,
                                 Long timeoutSeconds) {
        String id = tenant.sandboxId(newId());
        Map<String, String> env = envs == null ? Map.of() : Map.copyOf(envs);
        Instant now = Instant.now();
        Info info = new Info(id, templateId == null ? DEFAULT_TEMPLATE : templateId, "codeshard",
                metadata == null ? Map.of() : Map.copyOf(metadata), now,
                now.plusSeconds(timeoutSeconds == null || timeoutSeconds <= 0 ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds),
                newToken());
        envCache.put(id, env);
        return createDefaults(id, env).thenApply(done -> {
            created.put(id, info);
            return info;
        });
    }

    boolean isKilled(String sandboxId) {
        return killed.containsKey(sandboxId);
    }

    /**
     * What the control plane knows of a sandbox; empty for a killed one. Without keys ({@link Tenant#NONE}) any
     * sandbox id is known, as E2B's debug mode needs; a tenant's sandbox is known once this gateway created it or it
     * has contexts (created through another gateway, or used without the control plane), so that another tenant's
     * sandbox id is not found.
     */
    CompletionStage<Optional<Info>> find(String sandboxId) {
        if (isKilled(sandboxId)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Info known = created.get(sandboxId);
        if (known != null) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        Instant now = Instant.now();
        Optional<Info> unmanaged = Optional.of(new Info(sandboxId, DEFAULT_TEMPLATE, "codeshard", Map.of(), now,
                now.plusSeconds(DEFAULT_TIMEOUT_SECONDS), null));
        if (Tenant.ofSandbox(sandboxId).equals(Tenant.NONE)) {
            return CompletableFuture.completedFuture(unmanaged);
        }
        return contexts.list(sandboxId).thenApply(listing -> listing.isEmpty() ? Optional.empty() : unmanaged);
    }

    /** The sandboxes of {@code tenant} this gateway created and that are not killed. */
    List<Info> running(Tenant tenant) {
        return created.values().stream().filter(info -> tenant.owns(info.id()))
                .sorted((a, b) -> a.startedAt().compareTo(b.startedAt())).toList();
    }

    void setTimeout(String sandboxId, long seconds) {
        created.computeIfPresent(sandboxId, (id, info) -> info.withEndAt(Instant.now().plusSeconds(Math.max(0, seconds))));
    }

    /**
     * Kills a sandbox: from now on its data plane answers 502; its contexts are deleted (running cells end
     * with an error). False when there was no such sandbox (never created here and without contexts, or
     * killed already).
     */
    CompletionStage<Boolean> kill(String sandboxId) {
        if (killed.putIfAbsent(sandboxId, Boolean.TRUE) != null) {
            return CompletableFuture.completedFuture(false);
        }
        boolean wasCreated = created.remove(sandboxId) != null;
        envCache.remove(sandboxId);
        defaultsReady.remove(sandboxId);
        return contexts.list(sandboxId).thenCompose(listing -> {
            if (listing.isEmpty() && !wasCreated) {
                killed.remove(sandboxId);
                return CompletableFuture.completedFuture(false);
            }
            CompletableFuture<?>[] deletions = listing.stream()
                    .map(context -> contexts.delete(sandboxId, context.id())
                            .exceptionally(failure -> {
                                if (ContextService.unwrap(failure) instanceof ContextNotFoundException) {
                                    return null; // deleted meanwhile
                                }
                                throw new java.util.concurrent.CompletionException(ContextService.unwrap(failure));
                            })
                            .toCompletableFuture())
                    .toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(deletions).thenApply(done -> true);
        }).whenComplete((ok, failure) -> {
            if (failure != null && !wasCreated) {
                killed.remove(sandboxId);
            }
        });
    }

    // ---- data plane ----

    /** Settings of a context of this sandbox: E2B's defaults, the sandbox's env vars, the node's timeouts. */
    ContextSettings settings(Language language, String cwd, Map<String, String> sandboxEnvs) {
        return defaults.settings(language, cwd == null ? DEFAULT_CWD : cwd, sandboxEnvs, null, null);
    }

    /**
     * The sandbox's env vars: the cache, else those of its default python (or javascript) context, where
     * {@link #create} put them; none for a sandbox without either.
     */
    CompletionStage<Map<String, String>> envs(String sandboxId) {
        Map<String, String> cached = envCache.get(sandboxId);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return envsOf(sandboxId, Language.PYTHON)
                .thenCompose(found -> found.isPresent()
                        ? CompletableFuture.completedFuture(found)
                        : envsOf(sandboxId, Language.JAVASCRIPT))
                .thenApply(found -> {
                    Map<String, String> env = found.orElse(Map.of());
                    envCache.put(sandboxId, env);
                    return env;
                });
    }

    /**
     * Makes sure the sandbox's default python and javascript contexts exist (E2B lists both, before any
     * context a client creates), once per sandbox and gateway.
     */
    CompletionStage<Void> ensureDefaults(String sandboxId) {
        if (defaultsReady.contains(sandboxId)) {
            return CompletableFuture.completedFuture(null);
        }
        return envs(sandboxId).thenCompose(env -> createDefaults(sandboxId, env));
    }

    private CompletionStage<Void> createDefaults(String sandboxId, Map<String, String> env) {
        return contexts.ensureDefault(sandboxId, Language.PYTHON, settings(Language.PYTHON, null, env))
                .thenCompose(python -> contexts.ensureDefault(sandboxId, Language.JAVASCRIPT, settings(Language.JAVASCRIPT, null, env)))
                .thenApply(javascript -> {
                    defaultsReady.add(sandboxId);
                    return null;
                });
    }

    private CompletionStage<Optional<Map<String, String>>> envsOf(String sandboxId, Language language) {
        return contexts.get(sandboxId, ContextService.defaultContextId(language))
                .thenApply(info -> Optional.of(info.settings().envVars()))
                .exceptionallyCompose(failure -> ContextService.unwrap(failure) instanceof ContextNotFoundException
                        ? CompletableFuture.completedFuture(Optional.empty())
                        : CompletableFuture.failedStage(failure));
    }

    private String newId() {
        StringBuilder id = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private String newToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
