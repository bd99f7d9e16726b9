package io.magpie.logic.media;

import io.magpie.logic.MediaConfig;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Blobs as objects of one S3-compatible bucket ({@code media.s3.*}; AWS S3, MinIO, Ceph RGW): key {@code k}
 * is the object {@code <key-prefix>k}. The endpoint override and path-style addressing are for MinIO/Ceph;
 * credentials are the configured pair or the AWS default chain. Uses the synchronous client (the API's
 * request threads block anyway). Thread-safe; {@link #close()} releases the HTTP connections.
 */
public final class S3BlobStore implements BlobStore {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String description;

    public S3BlobStore(MediaConfig.S3 config) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .forcePathStyle(config.pathStyle());
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        this.s3 = builder.build();
        this.bucket = config.bucket();
        this.prefix = config.keyPrefix();
        this.description = "s3 " + bucket + (config.endpoint() == null ? " (" + config.region() + ")"
                : "@" + config.endpoint());
    }

    private static AwsCredentialsProvider credentials(MediaConfig.S3 config) {
        return config.accessKey() == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    }

    @Override
    public void put(String key, InputStream content, long size, String contentType) throws IOException {
        String object = object(key);
        try {
            s3.putObject(b -> b.bucket(bucket).key(object).contentType(contentType).contentLength(size),
                    RequestBody.fromInputStream(content, size));
        } catch (SdkException e) {
            throw new IOException("storing " + size + " bytes as " + object + " in " + description + " failed: "
                    + e.getMessage() + (e.retryable() ? " (retryable)" : ""), e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return get(key, null);
    }

    @Override
    public InputStream open(String key, long first, long last) throws IOException {
        return get(key, "bytes=" + first + "-" + last);
    }

    private InputStream get(String key, String range) throws IOException {
        String object = object(key);
        try {
            return s3.getObject(b -> b.bucket(bucket).key(object).range(range));
        } catch (NoSuchKeyException e) {
            throw new NoSuchBlobException("no object " + object + " in " + description, e);
        } catch (SdkException e) {
            throw new IOException("reading " + object + " from " + description + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        String object = object(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(object));
        } catch (SdkException e) {
            throw new IOException("deleting " + object + " from " + description + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        s3.close();
    }

    private String object(String key) {
        return prefix + BlobStore.checkKey(key);
    }
}
