package io.codeshard.client;

/** The service answered 404: the context named in the request does not exist in this sandbox (any more). */
public class ContextNotFoundException extends CodeshardException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for one 404 answer.
     *
     * @param code         the body's {@code error.code}, normally {@code not_found}
     * @param errorMessage the body's {@code error.message}
     */
    public ContextNotFoundException(String code, String errorMessage) {
        super(404, code, errorMessage);
    }
}
