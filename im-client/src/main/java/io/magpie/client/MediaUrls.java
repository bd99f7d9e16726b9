package io.magpie.client;

import java.net.URI;
import java.time.Instant;

/**
 * Signed download URLs of one media ({@code GET /v1/media/{id}/url}), absolute, working without a token until
 * {@code expiresAt}; do not store them, store the media's stable URL and ask again. Immutable.
 *
 * @param thumbnail null when the media has no thumbnail
 */
public record MediaUrls(String mediaId, URI original, URI thumbnail, Instant expiresAt) {
}
