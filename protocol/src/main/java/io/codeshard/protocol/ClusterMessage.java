package io.codeshard.protocol;

/**
 * Marker of every message that crosses the cluster between gateways and workers. Bound to the
 * {@link io.codeshard.protocol.kryo.KryoSerializer} in {@code serialization.conf}; each implementing class
 * needs a registration id there.
 */
public interface ClusterMessage {}
