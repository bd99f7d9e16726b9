package io.magpie.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.testkit.OpenApiContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/** accounts.yaml is a valid OpenAPI document, as a client generator would read it. */
class OpenApiDocumentTest {

    @Test
    void theAccountDocumentHasNoProblems() {
        assertEquals(List.of(), OpenApiContract.problems("openapi/accounts.yaml"));
    }
}
