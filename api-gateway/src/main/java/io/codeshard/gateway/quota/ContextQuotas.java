package io.codeshard.gateway.quota;

import com.typesafe.config.Config;
import io.codeshard.gateway.tenant.Tenant;
import io.codeshard.node.context.CodeContext;
import io.codeshard.node.context.ContextAdmission;
import io.codeshard.node.context.RunRequest;
import io.codeshard.node.sandbox.SandboxRegistry;
import io.codeshard.protocol.Language;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The gateway's limits on what enters the cluster (docs/tenants.md, "Quotas"):
 *
 * <ul>
 *   <li><b>contexts per tenant</b>: a tenant's contexts, all its sandboxes together;</li>
 *   <li>(contexts per node are the workers' own limit, {@code codeshard.worker.max-contexts}: the worker that would
 *       host a new context refuses it when full, {@link io.codeshard.node.context.WorkerCapacity});</li>
 *   <li><b>code size</b> of one cell, in UTF-8 bytes.</li>
 * </ul>
 *
 * The counts are ledgers, persisted entities of the {@link SandboxRegistry} type under ids no sandbox can have
 * ({@code ~tenant.<name>}): a context is reserved in them before it is created (a reservation
 * over the limit is refused in the entity itself, so concurrent creates cannot overshoot) and released when it is
 * deleted or its creation failed. Contexts created before the quotas existed are not in the ledgers.
 */
public final class ContextQuotas implements ContextAdmission {
    private static final String TENANT_LEDGER_PREFIX = "~tenant.";

    /**
     * @param contextsPerTenant 0 for no limit
     * @param retryAfter        what a refused create is told to wait
     * @param maxCodeBytes      0 for no limit
     */
    public record Limits(int contextsPerTenant, Duration retryAfter, long maxCodeBytes) {
        public static Limits fromConfig(Config config) {
            Config quotas = config.getConfig("codeshard.gateway.quotas");
            return new Limits(quotas.getInt("contexts-per-tenant"), quotas.getDuration("retry-after"),
                    config.getBytes("codeshard.gateway.max-code-bytes"));
        }
    }

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Duration askTimeout;
    private final Limits limits;

    public ContextQuotas(ActorSystem<?> system, Duration askTimeout, Limits limits) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.askTimeout = askTimeout;
        this.limits = limits;
    }

    @Override
    public CompletionStage<Void> admit(String sandboxId, String contextId, Language language) {
        Tenant tenant = Tenant.ofSandbox(sandboxId);
        SandboxRegistry.Entry entry = new SandboxRegistry.Entry(CodeContext.entityId(sandboxId, contextId), language, Instant.now());
        if (tenant.name() == null || limits.contextsPerTenant() <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return reserve(tenantLedger(tenant), entry, limits.contextsPerTenant(), () -> new QuotaExceeded(
                "Tenant " + tenant.name() + " has " + limits.contextsPerTenant()
                        + " contexts, its limit: delete one before creating another", retryAfterSeconds()));
    }

    @Override
    public void release(String sandboxId, String contextId) {
        String key = CodeContext.entityId(sandboxId, contextId);
        Tenant tenant = Tenant.ofSandbox(sandboxId);
        if (tenant.name() != null && limits.contextsPerTenant() > 0) {
            unregister(tenantLedger(tenant), key);
        }
    }

    @Override
    public void checkRun(RunRequest request) {
        if (limits.maxCodeBytes() > 0 && request.code().length() * 3L > limits.maxCodeBytes()) {
            long bytes = request.code().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > limits.maxCodeBytes()) {
                throw new CodeTooLarge(bytes, limits.maxCodeBytes());
            }
        }
    }

    private CompletionStage<Void> reserve(String ledger, SandboxRegistry.Entry entry, int limit, Supplier<QuotaExceeded> refusal) {
        return ledger(ledger).<SandboxRegistry.Listing>ask(reply -> new SandboxRegistry.Reserve(entry, limit, reply), askTimeout)
                .thenApply(listing -> {
                    if (!listing.contains(entry.contextId())) {
                        throw refusal.get();
                    }
                    return null;
                });
    }

    private void unregister(String ledger, String key) {
        ledger(ledger).tell(new SandboxRegistry.Unregister(key, null));
    }

    private EntityRef<SandboxRegistry.Command> ledger(String id) {
        return sharding.entityRefFor(SandboxRegistry.TYPE_KEY, id);
    }

    private static String tenantLedger(Tenant tenant) {
        return TENANT_LEDGER_PREFIX + tenant.name();
    }

    private int retryAfterSeconds() {
        return (int) Math.max(1, limits.retryAfter().toSeconds());
    }
}
