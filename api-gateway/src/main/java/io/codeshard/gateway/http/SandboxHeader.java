package io.codeshard.gateway.http;

import io.codeshard.gateway.tenant.Tenant;
import io.codeshard.node.context.Workspaces;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/** The header by which a request names its sandbox ({@code X-Sandbox-Id}, E2B's {@code E2b-Sandbox-Id}). */
public final class SandboxHeader {
    private SandboxHeader() {}

    /**
     * The request's sandbox, as the cluster knows it: the {@code header}'s value ({@code default} when absent)
     * in the {@code tenant}'s namespace. A value that is no valid sandbox id fails the request with a
     * {@link BadField} naming the header, for the face's exception handler.
     */
    public static Route inSandbox(String header, Tenant tenant, Function<String, Route> inner) {
        return Directives.optionalHeaderValueByName(header, value -> {
            String sandboxId = value.orElse("default");
            if (!Workspaces.isValidSandboxId(sandboxId)) {
                throw new BadField(header, header + " must be 1-64 of A-Z, a-z, 0-9, '_' and '-'");
            }
            return inner.apply(tenant.sandboxId(sandboxId));
        });
    }
}
