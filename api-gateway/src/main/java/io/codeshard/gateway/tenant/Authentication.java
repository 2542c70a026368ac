package io.codeshard.gateway.tenant;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Finds who a request acts for from its API key. A face names the headers its clients send the key in
 * ({@code Authorization: Bearer <key>}, or a header that holds the key itself, like E2B's {@code X-API-Key});
 * the first of them that is present counts. A request without a valid key fails with {@link Unauthenticated},
 * which the face's exception handler answers 401 in its own shape. Without keys (the dev mode on loopback)
 * every request is {@link Caller#ANONYMOUS}.
 */
public final class Authentication {
    /** The header whose value is {@code Bearer <key>}. */
    public static final String AUTHORIZATION = "Authorization";
    /** How the native and Cloudflare faces take the key. */
    public static final List<String> BEARER = List.of(AUTHORIZATION);

    private static final String BEARER_PREFIX = "bearer ";

    private final ApiKeys keys;

    private Authentication(ApiKeys keys) {
        this.keys = keys;
    }

    /** Checks keys when there are any: {@code keys} empty is the dev mode without them. */
    public static Authentication of(Optional<ApiKeys> keys) {
        return new Authentication(keys.orElse(null));
    }

    /** A gateway without keys (the dev mode, and tests of the faces' other behaviour). */
    public static Authentication none() {
        return new Authentication(null);
    }

    public boolean checksKeys() {
        return keys != null;
    }

    /** The caller of a request whose key is in one of {@code headers} (in order of preference). */
    public Route authenticated(List<String> headers, Function<Caller, Route> inner) {
        if (keys == null) {
            return inner.apply(Caller.ANONYMOUS);
        }
        return Directives.extractRequest(request -> {
            String key = presentedKey(request, headers);
            if (key == null) {
                throw new Unauthenticated("An API key is required: send it as " + describe(headers));
            }
            Tenant tenant = keys.tenantOf(key).orElseThrow(() -> new Unauthenticated("The API key is not valid"));
            return inner.apply(new Caller(tenant, key));
        });
    }

    /** The caller when the request has a valid key (always, without keys); empty otherwise, for routes open to all. */
    public Route identified(List<String> headers, Function<Optional<Caller>, Route> inner) {
        if (keys == null) {
            return inner.apply(Optional.of(Caller.ANONYMOUS));
        }
        return Directives.extractRequest(request -> {
            String key = presentedKey(request, headers);
            return inner.apply(key == null ? Optional.empty() : keys.tenantOf(key).map(tenant -> new Caller(tenant, key)));
        });
    }

    /** The key in the first of {@code headers} the request has, or null. */
    private static String presentedKey(HttpRequest request, List<String> headers) {
        for (String name : headers) {
            Optional<HttpHeader> header = request.getHeader(name);
            if (header.isPresent()) {
                String key = keyIn(name, header.get().value());
                return key == null || key.isEmpty() ? null : key;
            }
        }
        return null;
    }

    private static String keyIn(String header, String value) {
        if (!header.equalsIgnoreCase(AUTHORIZATION)) {
            return value.trim();
        }
        return value.regionMatches(true, 0, BEARER_PREFIX, 0, BEARER_PREFIX.length())
                ? value.substring(BEARER_PREFIX.length()).trim()
                : null;
    }

    private static String describe(List<String> headers) {
        return String.join(" or ", headers.stream()
                .map(name -> name.equalsIgnoreCase(AUTHORIZATION) ? "'Authorization: Bearer <key>'" : "'" + name + ": <key>'")
                .toList());
    }
}
