package io.codeshard.node.context;

/** Marker of persisted events and snapshots: bound to Jackson JSON in serialization.conf, so they can evolve. */
public interface Persisted {}
