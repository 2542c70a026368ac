package io.codeshard.protocol.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.ResultBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/** Builds one configured Kryo: the fixed registrations below, then the configured message classes. */
final class KryoSetup {
    private KryoSetup() {}

    static Kryo create(ExtendedActorSystem system, Map<String, Integer> classes) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        // Ids below 100 are the building blocks every message uses; configured messages start at 100.
        kryo.register(Instant.class, 20);
        kryo.register(Duration.class, 21);
        kryo.register(Optional.class, 22);
        kryo.register(ArrayList.class, 23);
        kryo.register(LinkedHashMap.class, 24);
        ListSerializer lists = new ListSerializer();
        kryo.register(List.of().getClass(), lists, 25);
        kryo.register(List.of(1).getClass(), lists, 26);
        kryo.register(List.of(1, 2, 3).getClass(), lists, 27);
        MapSerializer maps = new MapSerializer();
        kryo.register(Map.of().getClass(), maps, 28);
        kryo.register(Map.of(1, 1).getClass(), maps, 29);
        kryo.register(Map.of(1, 1, 2, 2).getClass(), maps, 30);
        kryo.register(ResultBundle.class, new JacksonSerializer<>(ResultBundle.class), 31);
        kryo.register(String[].class, 32);
        ActorRefSerializer refs = new ActorRefSerializer(system);
        kryo.addDefaultSerializer(ActorRef.class, refs);
        kryo.register(Adapter.toTyped(system.deadLetters()).getClass(), refs, 40);
        classes.forEach((name, id) -> {
            try {
                kryo.register(Class.forName(name, true, system.dynamicAccess().classLoader()), id);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("codeshard.kryo.classes names a missing class " + name, e);
            }
        });
        return kryo;
    }

    /** Typed actor refs travel as their path, resolved on arrival. */
    private static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
        private final ExtendedActorSystem system;
        private volatile ActorRefResolver resolver;

        ActorRefSerializer(ExtendedActorSystem system) {
            this.system = system;
        }

        // Looked up on first use: the resolver extension cannot be created while the serializer is being built.
        private ActorRefResolver resolver() {
            if (resolver == null) {
                resolver = ActorRefResolver.get(Adapter.toTyped(system));
            }
            return resolver;
        }

        @Override
        public void write(Kryo kryo, Output output, ActorRef<?> ref) {
            output.writeString(resolver().toSerializationFormat(ref));
        }

        @Override
        public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
            return resolver().resolveActorRef(input.readString());
        }
    }

    /** Immutable lists (List.of, List.copyOf) cannot be built field by field; they travel as elements. */
    private static final class ListSerializer extends Serializer<List<?>> {
        ListSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            output.writeVarInt(list.size(), true);
            list.forEach(element -> kryo.writeClassAndObject(output, element));
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            int size = input.readVarInt(true);
            List<Object> elements = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                elements.add(kryo.readClassAndObject(input));
            }
            return List.copyOf(elements);
        }
    }

    /** Immutable maps, likewise, as key/value pairs. */
    private static final class MapSerializer extends Serializer<Map<?, ?>> {
        MapSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, Map<?, ?> map) {
            output.writeVarInt(map.size(), true);
            map.forEach((key, value) -> {
                kryo.writeClassAndObject(output, key);
                kryo.writeClassAndObject(output, value);
            });
        }

        @Override
        public Map<?, ?> read(Kryo kryo, Input input, Class<? extends Map<?, ?>> type) {
            int size = input.readVarInt(true);
            Map<Object, Object> entries = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                entries.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
            }
            return Map.copyOf(entries);
        }
    }

    /** Values holding free-form JSON (result bundles with charts and data) travel as JSON bytes. */
    private static final class JacksonSerializer<T> extends Serializer<T> {
        private final Class<T> type;

        JacksonSerializer(Class<T> type) {
            this.type = type;
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, T value) {
            try {
                byte[] json = Json.mapper().writeValueAsBytes(value);
                output.writeVarInt(json.length, true);
                output.writeBytes(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public T read(Kryo kryo, Input input, Class<? extends T> ignored) {
            try {
                return Json.mapper().readValue(input.readBytes(input.readVarInt(true)), type);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
