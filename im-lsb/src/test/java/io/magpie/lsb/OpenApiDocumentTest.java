package io.magpie.lsb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.testkit.OpenApiContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lsb.yaml is a valid OpenAPI document, as a client generator would read it. */
class OpenApiDocumentTest {

    @Test
    void theLsbDocumentHasNoProblems() {
        assertEquals(List.of(), OpenApiContract.problems("openapi/lsb.yaml"));
    }
}
