package io.codeshard.gateway.tenant;

/**
 * An authenticated request's credentials.
 *
 * @param tenant whom the request acts for
 * @param key    the API key it presented; null in the dev mode without keys
 */
public record Caller(Tenant tenant, String key) {
    /** A request to a gateway without API keys. */
    public static final Caller ANONYMOUS = new Caller(Tenant.NONE, null);
}
