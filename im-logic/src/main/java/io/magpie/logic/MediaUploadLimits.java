package io.magpie.logic;

/**
 * How much one user may upload ({@code POST /v1/media}), counted across every logic instance in Redis
 * ({@code media.uploads-per-minute}, {@code media.upload-bytes-per-hour}; docs/operations.md "Media"). Each upload
 * is stored, thumbnailed and kept, so an unbounded route is a disk and CPU sink. Validated once; immutable.
 *
 * @param perMinute   uploads per user per minute (a window that starts at the user's first upload in it); 0 = no
 *                    limit; 0-100,000, default 30
 * @param bytesPerHour bytes uploaded per user per hour (likewise; an upload larger than the whole budget is taken
 *                    when the hour is unused); 0 = no limit; 0-1 TiB, default 1 GiB
 */
public record MediaUploadLimits(int perMinute, long bytesPerHour) {

    public static final MediaUploadLimits DEFAULTS = new MediaUploadLimits(30, 1L << 30);
    public static final MediaUploadLimits OFF = new MediaUploadLimits(0, 0);

    public MediaUploadLimits {
        if (perMinute < 0 || perMinute > 100_000) {
            throw new IllegalArgumentException("media.uploads-per-minute must be between 0 (no limit) and 100000, got "
                    + perMinute);
        }
        if (bytesPerHour < 0 || bytesPerHour > 1L << 40) {
            throw new IllegalArgumentException("media.upload-bytes-per-hour must be between 0 (no limit) and 1TiB,"
                    + " got " + bytesPerHour);
        }
    }

    /** Whether any limit applies. */
    public boolean enabled() {
        return perMinute > 0 || bytesPerHour > 0;
    }
}
