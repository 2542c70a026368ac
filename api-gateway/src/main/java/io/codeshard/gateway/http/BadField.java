package io.codeshard.gateway.http;

/**
 * A client mistake in one named part of a request: a body field, or a header. It is an
 * {@link IllegalArgumentException}, so a face that does not name fields answers it as any bad request;
 * a face that does (Cloudflare's {@code validationErrors}) reads {@link #field()}.
 */
public final class BadField extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public BadField(String field, String message) {
        super(message);
        this.field = field;
    }

    public BadField(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
