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
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The gateway's limits on what enters the cluster (docs/tenants.md, "Quotas"):
 *
 * <ul>
 *   <li><b>contexts per tenant</b>: a tenant's contexts, all its sandboxes together;</li>
 *   <li><b>contexts per node</b>: the cluster holds at most this many contexts per worker that is up. Sharding
 *       spreads sandboxes over the workers, so that is roughly this many per worker; it is not a count of one
 *       worker's contexts, which would need the worker to refuse them itself;</li>
 *   <li><b>code size</b> of one cell, in UTF-8 bytes.</li>
 * </ul>
 *
 * The counts are ledgers, persisted entities of the {@link SandboxRegistry} type under ids no sandbox can have
 * ({@code ~tenant.<name>}, {@code ~cluster}): a context is reserved in them before it is created (a reservation
 * over the limit is refused in the entity itself, so concurrent creates cannot overshoot) and released when it is
 * deleted or its creation failed. Contexts created before the quotas existed are not in the ledgers.
 */
public final class ContextQuotas implements ContextAdmission {
    private static final String CLUSTER_LEDGER = "~cluster";
    private static final String TENANT_LEDGER_PREFIX = "~tenant.";

    /**
     * @param contextsPerTenant 0 for no limit
     * @param contextsPerNode   0 for no limit
     * @param retryAfter        what a refused create is told to wait
     * @param maxCodeBytes      0 for no limit
     */
    public record Limits(int contextsPerTenant, int contextsPerNode, Duration retryAfter, long maxCodeBytes) {
        public static Limits fromConfig(Config config) {
            Config quotas = config.getConfig("codeshard.gateway.quotas");
            return new Limits(quotas.getInt("contexts-per-tenant"), quotas.getInt("contexts-per-node"),
                    quotas.getDuration("retry-after"), config.getBytes("codeshard.gateway.max-code-bytes"));
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
        CompletionStage<Void> inTenant = tenant.name() == null || limits.contextsPerTenant() <= 0
                ? CompletableFuture.completedFuture(null)
                : reserve(tenantLedger(tenant), entry, limits.contextsPerTenant(), () -> new QuotaExceeded(
                        "Tenant " + tenant.name() + " has " + limits.contextsPerTenant()
                                + " contexts, its limit: delete one before creating another", retryAfterSeconds()));
        if (limits.contextsPerNode() <= 0) {
            return inTenant;
        }
        int workers = workersUp();
        return inTenant.thenCompose(reserved -> reserve(CLUSTER_LEDGER, entry, limits.contextsPerNode() * workers,
                () -> new QuotaExceeded("The cluster holds " + limits.contextsPerNode() + " contexts per worker (" + workers
                        + " up), its limit: retry later", retryAfterSeconds()))
                .whenComplete((ok, refused) -> {
                    if (refused != null && tenant.name() != null) {
                        unregister(tenantLedger(tenant), entry.contextId());
                    }
                }));
    }

    @Override
    public void release(String sandboxId, String contextId) {
        String key = CodeContext.entityId(sandboxId, contextId);
        Tenant tenant = Tenant.ofSandbox(sandboxId);
        if (tenant.name() != null && limits.contextsPerTenant() > 0) {
            unregister(tenantLedger(tenant), key);
        }
        if (limits.contextsPerNode() > 0) {
            unregister(CLUSTER_LEDGER, key);
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

    private int workersUp() {
        long up = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .filter(member -> member.hasRole("worker") && member.status() == MemberStatus.up())
                .count();
        return (int) Math.max(1, up);
    }

    private int retryAfterSeconds() {
        return (int) Math.max(1, limits.retryAfter().toSeconds());
    }
}
