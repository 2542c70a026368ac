package io.codeshard.node.context;

import io.codeshard.protocol.Language;

/** A run named a context and a language, and the context runs another language (a context runs one interpreter). */
public final class LanguageMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public LanguageMismatchException(String contextId, Language runs, Language asked) {
        super("Context " + contextId + " runs " + runs.wireName() + ", not " + asked.wireName());
    }
}
