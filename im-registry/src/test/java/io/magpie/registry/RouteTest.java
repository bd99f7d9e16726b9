package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void rejectsSeparatorInsideFields() {
        assertThrows(IllegalArgumentException.class, () -> new Route(1, "d", "IOS", "g|1", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Route(1, "d", "I|OS", "g1", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Route(1, " ", "IOS", "g1", 1, 0));
    }

    @Test
    void sameConnectionComparesGateAndConnectionOnly() {
        Route a = new Route(1, "phone", "IOS", "g1", 5, 100);
        assertTrue(a.sameConnection(new Route(1, "phone", "IOS", "g1", 5, 999)));
        assertFalse(a.sameConnection(new Route(1, "phone", "IOS", "g1", 6, 100)));
        assertFalse(a.sameConnection(new Route(1, "phone", "IOS", "g2", 5, 100)));
    }
}
