package io.magpie.logic.internal;

import java.util.Optional;

/** Counts a user's media uploads against their budget before the upload is stored. Thread-safe. */
public interface UploadLimiter {

    /** No limits: an API without Redis (tests), or limits turned off. */
    UploadLimiter NONE = (uid, bytes) -> Optional.empty();

    /** Why an upload was refused, and in how many whole seconds (at least 1) the window that refused it ends. */
    record Refusal(String message, long retryAfterSeconds) {
    }

    /**
     * Counts an upload of {@code bytes} by {@code uid} if the budget still covers it.
     *
     * @return empty when admitted (and counted), else the refusal (nothing counted)
     */
    Optional<Refusal> admit(long uid, long bytes);
}
