package io.magpie.client;

import io.magpie.protocol.proto.MediaInfo;

/**
 * What {@code POST /v1/media} stored (docs/PROTOCOL.md §1.3): the stable references to send in a message's
 * {@link MediaInfo}. {@code url} and {@code thumbnailUrl} are paths of the account API ({@code /v1/media/<id>});
 * members exchange them for signed download URLs ({@link AccountClient#mediaUrls}). Immutable.
 *
 * @param width        pixels, 0 when not an image (or a WebP)
 * @param height       pixels, 0 likewise
 * @param fileName     "" when the upload named none
 * @param thumbnailUrl null when no thumbnail was made
 */
public record UploadedMedia(String mediaId, String conversationId, String mimeType, long sizeBytes, int width,
        int height, String fileName, String url, String thumbnailUrl) {

    /** The {@code MediaInfo} of a message that sends this media. */
    public MediaInfo toMediaInfo() {
        MediaInfo.Builder b = MediaInfo.newBuilder().setUrl(url).setMimeType(mimeType).setSizeBytes(sizeBytes)
                .setWidth(width).setHeight(height).setFileName(fileName);
        if (thumbnailUrl != null) {
            b.setThumbnailUrl(thumbnailUrl);
        }
        return b.build();
    }
}
