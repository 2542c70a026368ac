package io.codeshard.gateway.tenant;

import java.util.regex.Pattern;

/**
 * Who a request acts for: the tenant its API key belongs to. Sandboxes belong to tenants by name: the gateway
 * turns a client's sandbox id into the cluster's {@code <tenant>.<sandbox id>} (a client's id cannot contain
 * a dot), so nothing in the cluster can mix two tenants' sandboxes, and the same client id in two tenants names
 * two sandboxes. Answers show clients their own ids. {@link #NONE} is the all-in-one dev mode without keys:
 * sandbox ids as given.
 *
 * @param name the tenant's name (1-32 of {@code A-Z a-z 0-9 _ -}), null for {@link #NONE}
 */
public record Tenant(String name) {
    /** No tenant: a gateway without API keys (loopback only). */
    public static final Tenant NONE = new Tenant(null);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final char SEPARATOR = '.';

    public Tenant {
        if (name != null && !isValidName(name)) {
            throw new IllegalArgumentException("a tenant name is 1-32 of A-Z, a-z, 0-9, '_' and '-': '" + name + "'");
        }
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The tenant of a sandbox id of the cluster ({@link #NONE} for one of the dev mode). */
    public static Tenant ofSandbox(String sandboxId) {
        int separator = sandboxId.indexOf(SEPARATOR);
        return separator < 0 ? NONE : new Tenant(sandboxId.substring(0, separator));
    }

    /** The cluster's id of this tenant's sandbox {@code clientSandboxId} (a valid sandbox id). */
    public String sandboxId(String clientSandboxId) {
        return name == null ? clientSandboxId : name + SEPARATOR + clientSandboxId;
    }

    /** The client's id of one of this tenant's sandboxes. */
    public String clientSandboxId(String sandboxId) {
        if (!owns(sandboxId)) {
            throw new IllegalArgumentException("sandbox " + sandboxId + " is not one of tenant " + name + "'s");
        }
        return name == null ? sandboxId : sandboxId.substring(name.length() + 1);
    }

    /** True for the cluster ids of this tenant's sandboxes. */
    public boolean owns(String sandboxId) {
        return ofSandbox(sandboxId).equals(this);
    }
}
