package io.magpie.gate.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This gate's logged-in sessions, by connection id and by uid + device. Thread-safe: event loops add
 * and remove, the internal push port and shutdown read.
 *
 * <p>Two logins of the same device on this gate can finish their route registration in either
 * order; the shared route table decides which one is newer (the one whose registration replaced the
 * other). {@link #add} keeps that decision in the uid + device index so the older session is the one
 * kicked, whatever order the callbacks run in.
 */
public final class SessionTable {

    private final Map<Long, Session> byConnection = new ConcurrentHashMap<>();
    /**
     * A {@link Session}, or an {@link Entry} when the session's registration replaced another connection here:
     * most logins replace none, and an entry per session would be 24 bytes of every idle connection's heap.
     */
    private final Map<DeviceKey, Object> byDevice = new ConcurrentHashMap<>();

    private record DeviceKey(long uid, String deviceId) {
    }

    /** A session in the device index plus the connection its route registration replaced (not 0). */
    private record Entry(Session session, long replacedConnectionId) {
    }

    private static Session sessionOf(Object value) {
        return value instanceof Entry entry ? entry.session() : (Session) value;
    }

    private static long replacedBy(Object value) {
        return value instanceof Entry entry ? entry.replacedConnectionId() : 0;
    }

    /**
     * Adds {@code session} unless a session of the same uid + device on this gate is newer than it,
     * i.e. that session's route registration replaced this one's.
     *
     * @param replacedConnectionId connection id on this gate that {@code session}'s route registration
     *                             replaced, 0 if none (or another gate's)
     * @return the session that is now superseded: the older one of the same device (to be kicked),
     *         {@code session} itself if it lost, or {@code null} if there was no other
     */
    public Session add(Session session, long replacedConnectionId) {
        DeviceKey key = new DeviceKey(session.uid(), session.deviceId());
        Session[] superseded = new Session[1];
        byDevice.compute(key, (k, current) -> {
            if (current != null && replacedBy(current) == session.connectionId()) {
                superseded[0] = session;
                return current;
            }
            superseded[0] = current == null ? null : sessionOf(current);
            return replacedConnectionId == 0 ? session : new Entry(session, replacedConnectionId);
        });
        if (superseded[0] != session) {
            byConnection.put(session.connectionId(), session);
        }
        return superseded[0];
    }

    /**
     * Removes {@code session} (by identity: a newer session of the same device stays).
     *
     * @return true if it was in the table, so exactly one caller goes on to release its route
     */
    public boolean remove(Session session) {
        boolean removed = byConnection.remove(session.connectionId(), session);
        byDevice.computeIfPresent(new DeviceKey(session.uid(), session.deviceId()),
                (k, current) -> sessionOf(current) == session ? null : current);
        return removed;
    }

    /** The session of a connection id, or null. */
    public Session byConnection(long connectionId) {
        return byConnection.get(connectionId);
    }

    /** The current session of a uid + device on this gate, or null. */
    public Session byDevice(long uid, String deviceId) {
        Object current = byDevice.get(new DeviceKey(uid, deviceId));
        return current == null ? null : sessionOf(current);
    }

    /** Calls {@code action} for every session, without a copy: sessions added or removed meanwhile may be missed. */
    public void forEach(Consumer<Session> action) {
        byConnection.values().forEach(action);
    }

    /** A snapshot of every session. */
    public Collection<Session> all() {
        return List.copyOf(byConnection.values());
    }

    public int size() {
        return byConnection.size();
    }
}
