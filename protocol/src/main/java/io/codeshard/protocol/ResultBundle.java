package io.codeshard.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One rich result in every representation the interpreter produced for it, as Jupyter's MIME bundle
 * does: several formats may describe the same value. Binary formats ({@code png}, {@code jpeg},
 * {@code pdf}) are base64 strings; {@code json}, {@code chart} and {@code data} are JSON values;
 * MIME types without a field of their own are kept in {@code extra}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultBundle(
        String text,
        String html,
        String markdown,
        String svg,
        String png,
        String jpeg,
        String pdf,
        String latex,
        String javascript,
        JsonNode json,
        JsonNode chart,
        JsonNode data,
        Map<String, JsonNode> extra) {

    /** A bundle with plain text only. */
    public static ResultBundle ofText(String text) {
        return new ResultBundle(text, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
