package io.codeshard.gateway.fuzz;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.gateway.fuzz.FuzzRoute.Face;
import io.codeshard.gateway.fuzz.FuzzRoute.Field;
import io.codeshard.gateway.fuzz.FuzzRoute.Type;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A deterministic generator of bad requests for the routes of {@link FuzzRoute#ALL}: request {@code i} of seed
 * {@code s} is always the same bytes, whatever the order in which requests are sent. Each request names the kind of
 * mistake it makes and whether the gateway must refuse it ({@link Expect#REFUSED}: a 4xx with the face's error body)
 * or may serve it ({@link Expect#TOLERATED}: anything but a 5xx, e.g. {@code HEAD} on a {@code GET} route).
 *
 * <p>Requests name sandboxes of the fuzz run only ({@code fuzzSandbox}), so no mistake can reach a context
 * that existed before. Path ids never name an existing context or sandbox.
 */
final class MalformedRequests {
    enum Expect { REFUSED, TOLERATED }

    /**
     * One request to send.
     *
     * @param outsideFace the mistake may keep the request from reaching its face (refused by the HTTP layer, or a
     *                   path no face matches), so the answer may be the gateway's own error body rather than the face's
     * @param halfClose  close the sending side after the request (a body cut short)
     * @param bodyless   the answer has no body by definition (HEAD)
     */
    record FuzzRequest(Face face, String route, String kind, byte[] bytes, Expect expect, boolean outsideFace, boolean halfClose,
                       boolean bodyless) {}

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "HEAD");
    private static final String[] UNKNOWN_LANGUAGES = {"cobol", "ruby", "python2", "pyth\u00f6n", "java", "bash", "r", " ", "\u0000",
        "python;rm -rf /", "javascript\u0000", "PYTHON3.11", "ts x", "type script"};
    /** Paths that escape the workspace, or are not paths inside a sandbox at all. */
    private static final String[] BAD_CWDS = {"../../etc", "/workspace/../../etc", "/..", "/workspace/..", "..", "/workspace\u0000/x",
        "relative/dir", "..\\..\\etc", "/workspace/a/../../..", "/workspace/\u0000", "\u0000", "./", "~/x", "/a/../../b"};
    /** Context ids (and sandbox ids, on the control plane) no context can have, as raw path segments. */
    private static final String[] BAD_PATH_IDS = {"..", ".", "%2e%2e", "..%2f..%2fetc", "%00", "a%00b", "%ff%fe", "%zz", "%",
        "%E2%98%83", "\u2603", "a%2Fb", "default-python%00", "c-%2e%2e", "'\"<>", "a;b=c", "%0d%0aX-Injected:%201", "%20",
        "x".repeat(1500), "x".repeat(3000), "\ud83d\ude00"};
    private static final String[] BAD_SANDBOX_IDS = {"", "../etc", "a/b", "x".repeat(65), "x".repeat(5000), "fuzz\u0000", "\u2603",
        "sandbox id", "..", "%2e%2e", "*", "a:b"};
    private static final String[] BAD_CONTENT_TYPES = {null, "text/plain", "application/xml", "garbage", "application/json; charset=ebcdic-xx",
        "multipart/form-data; boundary=", "application/x-www-form-urlencoded", "application/json, text/html", ";;;==",
        "application/" + "x".repeat(5000), "application/json; charset=utf-16"};
    private static final String[] NOT_JSON = {"{", "}", "{{", "{\"code\": }", "{\"code\" \"1\"}", "{'code': '1'}", "{code: 1}", "nul",
        "tru", "[", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "\u0000", "\ufeff{\"code\":\"1\"}x", "NaN", "{\"code\":\"1\"", "<xml/>",
        "code=1&language=python", "--\r\n", "{\"\\u12\": 1}", "{\"code\":\"\\x\"}"};
    private static final String[] NOT_OBJECT = {"[]", "[1, 2]", "\"print(1)\"", "42", "-1.5e300", "true", "false", "[{\"code\":\"1\"}]"};

    private static final String RAW = "@@raw-json@@";

    private final long seed;
    private final String v1Sandbox;
    private final String e2bSandbox;

    MalformedRequests(long seed, String v1Sandbox, String e2bSandbox) {
        this.seed = seed;
        this.v1Sandbox = v1Sandbox;
        this.e2bSandbox = e2bSandbox;
    }

    /** The request of number {@code index}: a route (or, now and then, a path no face serves) and one mistake in it. */
    FuzzRequest generate(int index) {
        Random random = new Random(seed * 1_000_003L + index);
        if (random.nextInt(20) == 0) {
            return unknownPath(random);
        }
        FuzzRoute route = FuzzRoute.ALL.get(random.nextInt(FuzzRoute.ALL.size()));
        List<Mistake> mistakes = new ArrayList<>(List.of(Mistake.WRONG_METHOD, Mistake.HEADERS, Mistake.FRAMING, Mistake.REQUEST_LINE));
        if (route.hasBody()) {
            for (int i = 0; i < 4; i++) {
                mistakes.add(Mistake.BODY);
                mistakes.add(Mistake.FIELD);
            }
            mistakes.add(Mistake.CONTENT_TYPE);
        }
        if (route.hasPathId()) {
            mistakes.add(Mistake.PATH_ID);
            mistakes.add(Mistake.PATH_ID);
            mistakes.add(Mistake.PATH_ID);
        }
        if (route.sandboxHeader() != null) {
            mistakes.add(Mistake.SANDBOX_HEADER);
        }
        Mistake mistake = mistakes.get(random.nextInt(mistakes.size()));
        return new Builder(route, random).make(mistake);
    }

    private enum Mistake { BODY, FIELD, CONTENT_TYPE, PATH_ID, SANDBOX_HEADER, WRONG_METHOD, HEADERS, FRAMING, REQUEST_LINE }

    private FuzzRequest unknownPath(Random random) {
        String path = pick(random, FuzzRoute.UNKNOWN_PATHS.toArray(String[]::new));
        String method = pick(random, new String[] {"GET", "POST", "DELETE", "PUT"});
        Face face = path.startsWith("/v1/") || path.equals("/v1") ? Face.V1 : path.startsWith("/api") ? Face.CLOUDFLARE : Face.NONE;
        byte[] body = method.equals("POST") || method.equals("PUT") ? "{\"code\":\"1\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
        List<byte[]> headers = new ArrayList<>(List.of(RawHttp.header("X-Sandbox-Id", v1Sandbox), RawHttp.header("E2b-Sandbox-Id", e2bSandbox),
                RawHttp.header("Content-Type", "application/json"), contentLength(body.length)));
        return new FuzzRequest(face, method + " " + path, "unknown path", RawHttp.request(ascii(method), ascii(path), "HTTP/1.1", headers, body),
                Expect.REFUSED, false, false, false);
    }

    /** Builds one request of a route around one mistake; everything else about it is as a client would send it. */
    private final class Builder {
        private final FuzzRoute route;
        private final Random random;
        private String method;
        private byte[] target;
        private String version = "HTTP/1.1";
        private String sandboxValue;
        private String contentType = "application/json";
        private final List<byte[]> extraHeaders = new ArrayList<>();
        private byte[] body;
        private boolean frameBody = true;
        private boolean halfClose;
        private boolean bodyless;
        private boolean outsideFace;
        private Expect expect = Expect.REFUSED;
        private String kind;
        /** JSON text that replaces the value {@link #RAW} in the body. */
        private String raw;

        Builder(FuzzRoute route, Random random) {
            this.route = route;
            this.random = random;
            this.method = route.method();
            this.target = ascii(route.path().replace("{id}", harmlessId()));
            this.sandboxValue = route.face() == Face.E2B_DATA ? e2bSandbox : v1Sandbox;
            // A body that is refused (a required field missing, or not JSON) unless the mistake changes it; a route
            // without body fields gets none.
            this.body = route.hasBody() ? refusedBody() : new byte[0];
        }

        FuzzRequest make(Mistake mistake) {
            switch (mistake) {
                case BODY -> wholeBody();
                case FIELD -> field();
                case CONTENT_TYPE -> contentType();
                case PATH_ID -> pathId();
                case SANDBOX_HEADER -> sandboxHeader();
                case WRONG_METHOD -> wrongMethod();
                case HEADERS -> headers();
                case FRAMING -> framing();
                case REQUEST_LINE -> requestLine();
            }
            return build();
        }

        /** A path id that is well formed and names nothing: a context id never handed out, a sandbox never created. */
        private String harmlessId() {
            byte[] bytes = new byte[8];
            random.nextBytes(bytes);
            return (route.face() == Face.E2B_CONTROL ? "zz" : "c-") + HexFormat.of().formatHex(bytes);
        }

        /**
         * The body when the mistake lies elsewhere: a route with a required field goes without it, one without
         * required fields gets broken JSON, so that no request creates anything by accident.
         */
        private byte[] refusedBody() {
            boolean hasRequired = route.fields().stream().anyMatch(Field::required);
            return utf8(hasRequired ? "{\"language\":\"python\"}" : "{\"language\":");
        }

        // ---- body mistakes ----

        private void wholeBody() {
            switch (random.nextInt(9)) {
                case 0 -> {
                    byte[] valid = utf8(validObject().toString());
                    body = java.util.Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
                    kind = "truncated JSON";
                }
                case 1 -> {
                    body = utf8(pick(random, NOT_JSON));
                    kind = "not JSON";
                }
                case 2 -> {
                    body = utf8(pick(random, NOT_OBJECT));
                    kind = "JSON but not an object";
                }
                case 3 -> {
                    body = utf8(validObject() + pick(random, new String[] {" trailing", "}", "{}", ",", " []", "\u0000"}));
                    kind = "trailing garbage";
                }
                case 4 -> {
                    int depth = 5_000 + random.nextInt(20_000);
                    body = utf8(random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth) : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
                    kind = "deep nesting (body)";
                }
                case 5 -> {
                    body = randomBytes(random, 1 + random.nextInt(2000));
                    kind = "random bytes";
                }
                case 6 -> {
                    body = concat(utf8("{\"" + route.fields().get(0).name() + "\":\""), invalidUtf8(random), utf8("\"}"));
                    kind = "invalid UTF-8 in a string";
                }
                case 7 -> {
                    body = concat(utf8("{\""), invalidUtf8(random), utf8("\":\"x\"}"));
                    kind = "invalid UTF-8 in a name";
                }
                default -> {
                    body = utf8("{\"a\":[" + "1,".repeat(200_000) + "1]}");
                    kind = "big array (unknown field) with a required field missing or broken JSON";
                    if (route.fields().stream().noneMatch(Field::required)) {
                        body = utf8("{\"a\":[" + "1,".repeat(200_000) + "1]");
                    }
                }
            }
        }

        private void field() {
            Field field = route.fields().get(random.nextInt(route.fields().size()));
            ObjectNode object = validObject();
            String name = field.name();
            // the mistakes of meaning (a path outside the sandbox, a language nobody serves, ...) weigh three eighths
            switch (random.nextInt(8)) {
                case 0 -> {
                    object.set(name, wrongType(field.type()));
                    kind = "wrong type";
                }
                case 1 -> {
                    Field required = route.fields().stream().filter(Field::required).findFirst().orElse(null);
                    if (required != null) {
                        if (random.nextBoolean()) {
                            object.remove(required.name());
                        } else {
                            object.putNull(required.name());
                        }
                        kind = "missing required field";
                    } else {
                        object.set(name, wrongType(field.type()));
                        kind = "wrong type";
                    }
                }
                case 2 -> {
                    huge(object, field);
                    if (kind == null) {
                        kind = "huge value";
                    }
                }
                case 3 -> {
                    int depth = 2_000 + random.nextInt(20_000);
                    body = utf8(object.toString().replaceFirst("^\\{", "{\"" + name + "\":" + "[".repeat(depth) + "]".repeat(depth) + ","));
                    kind = "deep nesting (field)";
                    return;
                }
                case 4 -> {
                    String json = object.toString();
                    body = concat(utf8(json.substring(0, json.length() - 1) + (object.isEmpty() ? "" : ",") + "\"" + name + "\":\"x"),
                            invalidUtf8(random), utf8("\"}"));
                    kind = "invalid UTF-8 in a field";
                    return;
                }
                default -> special(object, field);
            }
            String json = object.toString();
            body = utf8(raw == null ? json : json.replace("\"" + RAW + "\"", raw));
        }

        /** The mistake that belongs to a field's meaning: a path outside the sandbox, a language nobody serves, ... */
        private void special(ObjectNode object, Field field) {
            switch (field.type()) {
                case CWD -> {
                    object.put(field.name(), pick(random, BAD_CWDS));
                    kind = "cwd outside the workspace";
                }
                case LANGUAGE -> {
                    object.put(field.name(), pick(random, UNKNOWN_LANGUAGES));
                    kind = "unknown language";
                }
                case CONTEXT_ID -> {
                    object.put(field.name(), pick(random, new String[] {"..", "../default-python", "c-00000000", "\u0000", "default-cobol",
                        "default-python/../x", "\u2603", "x".repeat(300), "x".repeat(100_000), "c-" + "0".repeat(16) + "\u0000"}));
                    kind = "unknown context";
                }
                case STRING_MAP -> {
                    if (field.name().toLowerCase().contains("env")) {
                        object.set(field.name(), pick(random, new String[] {"{\"\":\"x\"}", "{\"A=B\":\"x\"}", "{\"A\":\"x\\u0000\"}",
                            "{\"A\\u0000\":\"x\"}", "{\"A\":null}", "{\"A\":[\"x\"]}"}, MalformedRequests::json));
                        kind = "invalid environment variable";
                    } else {
                        object.set(field.name(), json("{\"a\":" + pick(random, new String[] {"null", "1", "[]", "{}", "true"}) + "}"));
                        kind = "wrong type in a map";
                    }
                }
                case INTEGER -> {
                    // E2B takes any whole number of seconds (a non-positive one means its default): only fractions are wrong there
                    String[] wrong = route.face() == Face.E2B_CONTROL ? new String[] {"0.5", "1e-5", "1.0000001"}
                            : new String[] {"-1", "-9223372036854775808", "0.5", "1e-5", "-5"};
                    object.set(field.name(), json(pick(random, wrong)));
                    kind = "out-of-range number";
                }
                default -> {
                    object.set(field.name(), wrongType(field.type()));
                    kind = "wrong type";
                }
            }
        }

        private void huge(ObjectNode object, Field field) {
            switch (field.type()) {
                case CODE -> {
                    object.put(field.name(), "#" + "x".repeat((1 << 20) + random.nextInt(1 << 20)));
                    kind = "body over the size limit";
                }
                case LANGUAGE -> object.put(field.name(), "py".repeat(50_000 + random.nextInt(100_000)));
                case CWD -> object.put(field.name(), "/" + "a".repeat(1025 + random.nextInt(300_000)));
                case CONTEXT_ID -> object.put(field.name(), "c-" + "f".repeat(65 + random.nextInt(400_000)));
                case INTEGER -> {
                    // written as text: Jackson would not build these numbers
                    object.put(field.name(), RAW);
                    raw = pick(random, new String[] {"123456789012345678901234567890", "1e400", "-1e400", "9".repeat(5000),
                        "9223372036854775808", "1" + "0".repeat(400) + ".5"});
                }
                default -> {
                    com.fasterxml.jackson.databind.node.ArrayNode array = object.putArray(field.name());
                    for (int i = 50_000 + random.nextInt(100_000); i > 0; i--) {
                        array.add(i);
                    }
                    kind = "big array";
                }
            }
        }

        private com.fasterxml.jackson.databind.JsonNode wrongType(Type type) {
            String[] candidates = switch (type) {
                case STRING, CODE, LANGUAGE, CWD, CONTEXT_ID -> new String[] {"5", "-1.5", "true", "[]", "[\"python\"]", "{}", "{\"a\":\"b\"}"};
                case INTEGER -> new String[] {"\"60000\"", "1.5", "true", "[]", "{}", "\"\"", "[1]"};
                case STRING_MAP -> new String[] {"\"\"", "\"A=1\"", "[\"A=1\"]", "1", "true", "{\"A\":1}", "{\"A\":{}}", "{\"A\":false}"};
            };
            return json(pick(random, candidates));
        }

        /** A body that every route of this face accepts, when nothing else is wrong with the request. */
        private ObjectNode validObject() {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            for (Field field : route.fields()) {
                if (!field.required() && random.nextInt(3) > 0) {
                    continue;
                }
                switch (field.type()) {
                    case CODE -> object.put(field.name(), "1 + 1");
                    case LANGUAGE -> object.put(field.name(), "python");
                    case CWD -> object.put(field.name(), "/workspace");
                    case STRING -> object.put(field.name(), "code-interpreter-v1");
                    case INTEGER -> object.put(field.name(), 30_000);
                    case STRING_MAP -> object.putObject(field.name()).put("FUZZ", "1");
                    case CONTEXT_ID -> object.put(field.name(), "c-" + "0".repeat(16));
                }
            }
            // both a context and a language are refused by E2B; keep the valid object valid
            if (object.has("context_id") && object.has("language") && route.face() == Face.E2B_DATA) {
                object.remove("language");
            }
            return object;
        }

        // ---- everything around the body ----

        private void contentType() {
            contentType = pick(random, BAD_CONTENT_TYPES);
            kind = "bad Content-Type (with a refused body)";
        }

        private void pathId() {
            String id = pick(random, BAD_PATH_IDS);
            byte[] idBytes = id.chars().anyMatch(c -> c > 127) ? utf8(id) : ascii(id);
            String[] around = route.path().split("\\{id\\}", -1);
            target = concat(ascii(around[0]), idBytes, ascii(around[1]));
            kind = "bad path id";
            // "/v1/contexts/.." (or "%2e%2e", an encoded unreserved character) is "/v1" once its dot segments are removed (RFC 3986 5.2.4): maybe no face's path
            outsideFace = id.equals("..") || id.equals(".") || id.equals("%2e%2e") || id.chars().anyMatch(c -> c > 127 || c == '"' || c == '<' || c == '\'') || id.length() > 2000
                    || id.equals("%zz") || id.equals("%");
        }

        private void sandboxHeader() {
            sandboxValue = pick(random, BAD_SANDBOX_IDS);
            kind = "bad sandbox header";
            if (sandboxValue.chars().anyMatch(c -> c > 127 || c == 0) || sandboxValue.length() > 4000) {
                outsideFace = true;
            }
            body = route.hasBody() ? utf8(validObject().toString()) : body;
        }

        private void wrongMethod() {
            Set<String> served = FuzzRoute.ALL.stream().filter(r -> r.path().equals(route.path())).map(FuzzRoute::method)
                    .collect(Collectors.toSet());
            List<String> others = new ArrayList<>(METHODS.stream().filter(m -> !served.contains(m)).sorted().toList());
            others.addAll(List.of("FOO", "get", "PROPFIND", "BREW"));
            method = others.get(random.nextInt(others.size()));
            kind = "wrong method";
            // an answer to HEAD has no body, whatever its status
            bodyless = method.equals("HEAD");
            if (method.equals("HEAD") && served.contains("GET")) {
                expect = Expect.TOLERATED;
                kind = "HEAD of a GET route";
            }
            // Pekko refuses a TRACE with a body before routing
            outsideFace = !METHODS.contains(method) || method.equals("TRACE");
        }

        private void headers() {
            outsideFace = true;
            kind = "header abuse";
            switch (random.nextInt(6)) {
                case 0 -> extraHeaders.add(RawHttp.header("X-Filler", "a".repeat(9_000 + random.nextInt(200_000))));
                case 1 -> {
                    for (int i = 0; i < 65 + random.nextInt(500); i++) {
                        extraHeaders.add(RawHttp.header("X-Many-" + i, "v"));
                    }
                }
                case 2 -> extraHeaders.add(ascii("X Bad Name: x"));
                case 3 -> extraHeaders.add(ascii("no colon here"));
                case 4 -> extraHeaders.add(concat(ascii("X-Bytes: "), new byte[] {0, 1, 2, 127}));
                default -> {
                    // Pekko skips a header line without a name, so the request is the route's usual one
                    extraHeaders.add(ascii(": empty name"));
                    expect = route.hasBody() ? Expect.REFUSED : Expect.TOLERATED;
                }
            }
        }

        private void framing() {
            outsideFace = true;
            kind = "framing abuse";
            switch (random.nextInt(9)) {
                case 0 -> extraHeaders.add(ascii("Content-Length: " + pick(random, new String[] {"abc", "-1", "1e3", "0x10", "99999999999999999999"})));
                case 1 -> {
                    extraHeaders.add(ascii("Content-Length: " + body.length));
                    extraHeaders.add(ascii("Content-Length: " + (body.length + 7)));
                }
                case 2 -> {
                    // more body announced than sent, then the client stops sending
                    extraHeaders.add(ascii("Content-Length: " + (body.length + 1 + random.nextInt(10_000))));
                    halfClose = true;
                    kind = "body cut short";
                }
                case 3 -> {
                    extraHeaders.add(ascii("Transfer-Encoding: chunked"));
                    extraHeaders.add(ascii("Content-Length: " + body.length));
                    body = chunked(body);
                }
                case 4 -> {
                    extraHeaders.add(ascii("Transfer-Encoding: " + pick(random, new String[] {"gzip", "identity", "chunked, gzip", "bogus", "chunked;x"})));
                }
                case 5 -> {
                    extraHeaders.add(ascii("Transfer-Encoding: chunked"));
                    kind = "broken chunks";
                    body = concat(ascii(pick(random, new String[] {"zz\r\n", "-1\r\n", "fffffffffffffffffff\r\n", "5\r\nabc\r\n0\r\n\r\n"})), body);
                }
                case 6 -> {
                    // well-framed chunks of a refused body, then the end
                    extraHeaders.add(ascii("Transfer-Encoding: chunked"));
                    body = chunked(body);
                    outsideFace = false;
                    kind = "chunked body (refused)";
                }
                case 7 -> {
                    // chunks that never end: the client stops sending
                    extraHeaders.add(ascii("Transfer-Encoding: chunked"));
                    byte[] chunked = chunked(body);
                    body = java.util.Arrays.copyOf(chunked, chunked.length - 5);
                    halfClose = true;
                    kind = "chunked body cut short";
                }
                default -> {
                    extraHeaders.add(ascii("Expect: 100-continue"));
                    outsideFace = false;
                    kind = "Expect: 100-continue (refused body)";
                }
            }
            // every case but Expect frames the body itself (or lies about it)
            frameBody = kind.startsWith("Expect");
            if (!route.hasBody() && !kind.equals("framing abuse")) {
                // a route that reads no body answers before it would find a lie in the body's framing
                expect = Expect.TOLERATED;
            }
        }

        private void requestLine() {
            outsideFace = true;
            kind = "bad request line";
            switch (random.nextInt(8)) {
                case 0 -> version = pick(random, new String[] {"HTTP/9.9", "HTTP/1.2", "HTTP/2.0", "HTTP/1", "HTTPS/1.1", "http/1.1"});
                case 1 -> target = concat(target, ascii(pick(random, new String[] {" x", "?a=%zz", "?a=%", "#frag", "\u0000x"})));
                case 2 -> target = concat(target, new byte[] {(byte) 0xff, (byte) 0xfe});
                case 3 -> target = ascii(route.path().replace("{id}", "x").replaceFirst("/", "/" + "a".repeat(9_000 + random.nextInt(20_000)) + "/"));
                case 4 -> target = ascii(pick(random, new String[] {"*", "", "v1/health", "//", "/\\..\\..\\etc"}));
                case 5 -> {
                    method = "\u0016\u0003\u0001";
                    kind = "TLS hello on the plain port";
                }
                case 6 -> {
                    // dot segments above the root are dropped (RFC 3986 5.2.4): the route's usual request
                    target = ascii(route.path().replace("{id}", "x").replaceFirst("/", "/../../"));
                    kind = "dot segments above the root";
                    expect = route.hasBody() ? Expect.REFUSED : Expect.TOLERATED;
                }
                default -> {
                    // no face matches "//v1//health"; the gateway's catch-all answers
                    target = ascii(route.path().replace("{id}", "x").replace("/", "//"));
                    kind = "doubled slashes";
                }
            }
        }

        private FuzzRequest build() {
            List<byte[]> headers = new ArrayList<>();
            if (route.sandboxHeader() != null) {
                headers.add(RawHttp.header(route.sandboxHeader(), sandboxValue));
            }
            if (contentType != null) {
                headers.add(RawHttp.header("Content-Type", contentType));
            }
            headers.addAll(extraHeaders);
            if (frameBody) {
                headers.add(contentLength(body.length));
            }
            byte[] request = RawHttp.request(utf8(method), target, version, headers, body);
            return new FuzzRequest(route.face(), route.method() + " " + route.path(), kind, request, expect, outsideFace, halfClose, bodyless);
        }
    }

    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int size = Math.min(body.length - at, 7);
            out.writeBytes(ascii(Integer.toHexString(size) + "\r\n"));
            out.write(body, at, size);
            out.writeBytes(ascii("\r\n"));
            at += size;
        }
        out.writeBytes(ascii("0\r\n\r\n"));
        return out.toByteArray();
    }

    /** Bytes that are no UTF-8: a stray byte, an overlong form, a surrogate, a sequence cut short, a 5-byte form. */
    private static byte[] invalidUtf8(Random random) {
        byte[][] choices = {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82},
            {(byte) 0x80}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] contentLength(int n) {
        return ascii("Content-Length: " + n);
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return io.codeshard.protocol.Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static <T> com.fasterxml.jackson.databind.JsonNode pick(Random random, String[] values, Function<String, com.fasterxml.jackson.databind.JsonNode> parse) {
        return parse.apply(values[random.nextInt(values.length)]);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
