package io.codeshard.node.interpreter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Json;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The framing of docs/runtime-protocol.md: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
 * User output travels inside frames, so nothing a cell prints can break the framing.
 */
final class Frames {
    /** Largest frame accepted; bigger is a protocol error (a runaway or hostile process). */
    static final int MAX_FRAME_BYTES = 64 << 20;

    private Frames() {}

    static ObjectNode read(DataInputStream in) throws IOException {
        int length = in.readInt();
        checkLength(length);
        return parse(in.readNBytes(length), length);
    }

    /** Reads one frame from a blocking channel; {@link EOFException} at a clean end of stream. */
    static ObjectNode read(SocketChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        fill(channel, header);
        int length = header.flip().getInt();
        checkLength(length);
        ByteBuffer body = ByteBuffer.allocate(length);
        fill(channel, body);
        return parse(body.array(), length);
    }

    static byte[] encode(JsonNode frame) throws IOException {
        byte[] json = Json.mapper().writeValueAsBytes(frame);
        return ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array();
    }

    static void write(OutputStream out, JsonNode frame) throws IOException {
        out.write(encode(frame));
        out.flush();
    }

    static void write(SocketChannel channel, JsonNode frame) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(encode(frame));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void fill(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("interpreter closed its channel");
            }
        }
    }

    private static void checkLength(int length) throws ProtocolException {
        if (length < 0 || length > MAX_FRAME_BYTES) {
            throw new ProtocolException("frame length " + Integer.toUnsignedString(length) + " out of range");
        }
    }

    private static ObjectNode parse(byte[] bytes, int expected) throws IOException {
        if (bytes.length < expected) {
            throw new EOFException("truncated frame");
        }
        JsonNode node = Json.mapper().readTree(bytes);
        if (!(node instanceof ObjectNode object)) {
            throw new ProtocolException("frame is not a JSON object");
        }
        return object;
    }

    /** The peer broke the framing; the connection cannot be trusted any more. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
