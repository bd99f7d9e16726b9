package io.magpie.logic.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

/** What every {@link BlobStore} must do; each store's test runs it against a real store. */
public final class BlobStoreContract {

    private BlobStoreContract() {
    }

    public static void check(BlobStore store, String keyPrefix) throws IOException {
        byte[] bytes = new byte[300_000];
        new Random(11).nextBytes(bytes);
        String key = keyPrefix + "ab/contract";

        store.put(key, new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");

        assertArrayEquals(bytes, read(store.open(key)), "the bytes put are the bytes read");
        assertArrayEquals(Arrays.copyOfRange(bytes, 1000, 2000), read(store.open(key, 1000, 1999)), "a range");
        assertArrayEquals(Arrays.copyOfRange(bytes, bytes.length - 5, bytes.length),
                read(store.open(key, bytes.length - 5, bytes.length - 1)), "the last bytes");
        byte[] replaced = "second version".getBytes();
        store.put(key, new ByteArrayInputStream(replaced), replaced.length, "text/plain");
        assertArrayEquals(replaced, read(store.open(key)), "a put replaces");

        store.delete(key);
        assertThrows(NoSuchBlobException.class, () -> store.open(key).close(), "gone after delete");
        store.delete(key); // absent: no error
        assertThrows(NoSuchBlobException.class, () -> store.open(keyPrefix + "never/put").close());
        assertThrows(IllegalArgumentException.class, () -> store.open("../outside"), "keys cannot leave the store");
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
