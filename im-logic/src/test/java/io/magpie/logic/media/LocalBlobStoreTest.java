package io.magpie.logic.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest {

    @TempDir
    Path dir;

    @Test
    void keepsTheBlobStoreContract() throws IOException {
        BlobStoreContract.check(new LocalBlobStore(dir), "");
    }

    @Test
    void aPutThatFailsHalfwayLeavesNothingBehind() throws IOException {
        LocalBlobStore store = new LocalBlobStore(dir);
        byte[] three = {1, 2, 3};
        IOException e = assertThrows(IOException.class,
                () -> store.put("xy/short", new ByteArrayInputStream(three), 10, "application/octet-stream"));
        assertTrue(e.getMessage().contains("expected 10 bytes, the stream held 3"), e.getMessage());
        assertThrows(NoSuchBlobException.class, () -> store.open("xy/short"));
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(0, files.filter(Files::isRegularFile).count(), "no temporary file is left");
        }
    }
}
