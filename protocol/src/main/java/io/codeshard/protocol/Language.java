package io.codeshard.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Map;

/** The interpreter languages a code context can run. */
public enum Language {
    PYTHON("python", Runtime.PYTHON),
    JAVASCRIPT("javascript", Runtime.NODE),
    TYPESCRIPT("typescript", Runtime.NODE);

    /** The interpreter program family that runs a language: JavaScript and TypeScript share Node. */
    public enum Runtime { PYTHON, NODE }

    // Names accepted from clients: Cloudflare's client sends python3/js/node/ts, E2B's sends js/ts.
    private static final Map<String, Language> ALIASES = Map.of(
            "python", PYTHON, "python3", PYTHON, "py", PYTHON,
            "javascript", JAVASCRIPT, "js", JAVASCRIPT, "node", JAVASCRIPT, "nodejs", JAVASCRIPT,
            "typescript", TYPESCRIPT, "ts", TYPESCRIPT);

    private final String wireName;
    private final Runtime runtime;

    Language(String wireName, Runtime runtime) {
        this.wireName = wireName;
        this.runtime = runtime;
    }

    /** The canonical lower-case name used on every wire: {@code python}, {@code javascript}, {@code typescript}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Which interpreter program runs this language. */
    public Runtime runtime() {
        return runtime;
    }

    /**
     * Parses a language name or alias, case-insensitively.
     *
     * @throws UnknownLanguageException when the name is not a supported language
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Language parse(String name) {
        // strip(), not trim(): trim() also drops control characters, so "python\0" would pass for "python"
        Language language = name == null ? null : ALIASES.get(name.strip().toLowerCase(Locale.ROOT));
        if (language == null) {
            throw new UnknownLanguageException(name);
        }
        return language;
    }

    /** Thrown for a language name no runtime serves; callers turn it into a 400. */
    public static final class UnknownLanguageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public UnknownLanguageException(String name) {
            super("Unknown language '" + name + "': use python, javascript or typescript");
        }
    }
}
