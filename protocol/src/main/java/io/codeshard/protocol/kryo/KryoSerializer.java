package io.codeshard.protocol.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import com.typesafe.config.Config;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for {@link io.codeshard.protocol.ClusterMessage}s: Kryo with every class registered
 * under an explicit, permanent id read from {@code codeshard.kryo.classes} (class name = id), so that
 * nodes of different builds agree on the bytes. Kryo instances are not thread-safe, hence the pool.
 */
public final class KryoSerializer extends JSerializer {
    /** Pekko serializer id of this serializer: forever. */
    public static final int IDENTIFIER = 7101;

    private final Pool<Kryo> pool;

    public KryoSerializer(ExtendedActorSystem system) {
        Map<String, Integer> classes = registrations(system.settings().config());
        this.pool = new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() {
                return KryoSetup.create(system, classes);
            }
        };
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object message) {
        Kryo kryo = pool.obtain();
        try (Output output = new Output(256, -1)) {
            kryo.writeClassAndObject(output, message);
            return output.toBytes();
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Kryo kryo = pool.obtain();
        try (Input input = new Input(bytes)) {
            return kryo.readClassAndObject(input);
        } finally {
            pool.free(kryo);
        }
    }

    private static Map<String, Integer> registrations(Config config) {
        Map<String, Integer> classes = new TreeMap<>();
        Config section = config.getConfig("codeshard.kryo.classes");
        section.root().keySet().forEach(name -> classes.put(name, section.getInt("\"" + name + "\"")));
        return classes;
    }
}
