package io.magpie.registry;

/** Whether LSB may hand a gate to new clients. */
public enum GateState {
    /** Accepting new connections. */
    ACTIVE,
    /** Shedding its connections before it exits: LSB no longer chooses it. */
    DRAINING
}
