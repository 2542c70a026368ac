package io.codeshard.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one request per connection ({@code Connection: close}), so that a request can be
 * anything at all: a request line with raw bytes, lying framing headers, a body cut short. The answer is read
 * until the server closes the connection.
 */
final class RawHttp {
    private static final byte[] CRLF = {'\r', '\n'};

    private RawHttp() {}

    /** The server's answer: status, headers (names lower-cased), and the body with any chunked framing removed. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What happened to an exchange that got no answer. */
    static final class NoAnswer extends IOException {
        private static final long serialVersionUID = 1L;
        final boolean timedOut;

        NoAnswer(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }
    }

    /**
     * A request as bytes: request line, then {@code Host} and {@code Connection: close}, then {@code headers} as given
     * (each already {@code Name: value}), then the body. No {@code Content-Length} is added: the caller frames it.
     */
    static byte[] request(byte[] method, byte[] target, String version, List<byte[]> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 512);
        out.writeBytes(method);
        out.write(' ');
        out.writeBytes(target);
        out.write(' ');
        out.writeBytes(version.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(CRLF);
        out.writeBytes("Host: 127.0.0.1\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII));
        for (byte[] header : headers) {
            out.writeBytes(header);
            out.writeBytes(CRLF);
        }
        out.writeBytes(CRLF);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] header(String name, String value) {
        return (name + ": " + value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sends {@code request} and reads the answer. {@code halfClose} shuts the sending side after the request, which
     * is how a client says that no more body is coming. A server that keeps the connection open past
     * {@code timeout} without a complete answer is a {@link NoAnswer} with {@code timedOut}.
     */
    static Answer exchange(int port, byte[] request, boolean halfClose, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) timeout.toMillis());
            long deadline = System.nanoTime() + timeout.toNanos();
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // The server may answer and close before it read all of a request it refused (e.g. a huge header);
                // its answer is still there to read.
            }
            byte[] raw = readUntilClosed(socket.getInputStream(), deadline);
            if (raw.length == 0) {
                throw new NoAnswer("the connection was closed without an answer", false);
            }
            return parse(raw);
        }
    }

    private static byte[] readUntilClosed(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                bytes.write(buffer, 0, n);
                if (System.nanoTime() > deadline) {
                    throw new NoAnswer("the answer did not end in time (" + bytes.size() + " bytes so far)", true);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new NoAnswer("no complete answer in time (" + bytes.size() + " bytes so far)", true);
        } catch (java.net.SocketException e) {
            // a reset after the answer was written (the server closed with our unread body pending) loses nothing read
            if (bytes.size() == 0) {
                throw new NoAnswer("connection reset without an answer: " + e.getMessage(), false);
            }
        }
        return bytes.toByteArray();
    }

    private static Answer parse(byte[] raw) throws IOException {
        int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (headEnd < 0) {
            throw new IOException("an answer without the end of its head: " + preview(raw));
        }
        String[] lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + preview(raw));
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
        }
        int bodyStart = headEnd + 4;
        byte[] rest = java.util.Arrays.copyOfRange(raw, bodyStart, raw.length);
        List<String> encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.stream().anyMatch(value -> value.toLowerCase(Locale.ROOT).contains("chunked"))) {
            return new Answer(status, headers, dechunk(rest));
        }
        List<String> length = headers.get("content-length");
        if (length != null) {
            int n = Integer.parseInt(length.get(0));
            return new Answer(status, headers, java.util.Arrays.copyOf(rest, Math.min(n, rest.length)));
        }
        return new Answer(status, headers, rest);
    }

    private static byte[] dechunk(byte[] chunked) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOf(chunked, CRLF, at);
            if (lineEnd < 0) {
                throw new IOException("chunked answer cut short");
            }
            String sizeLine = new String(chunked, at, lineEnd - at, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
            if (size == 0) {
                return body.toByteArray();
            }
            int dataStart = lineEnd + 2;
            if (dataStart + size > chunked.length) {
                throw new IOException("chunked answer cut short");
            }
            body.write(chunked, dataStart, size);
            at = dataStart + size + 2;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String preview(byte[] raw) {
        return new String(raw, 0, Math.min(raw.length, 200), StandardCharsets.ISO_8859_1);
    }
}
