package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedisKeysTest {

    @Test
    void namesFollowTheContract() {
        RedisKeys keys = new RedisKeys("magpie:");
        assertEquals("magpie:route:42", keys.route(42));
        assertEquals("magpie:gate:g1", keys.gate("g1"));
        assertEquals("magpie:gates", keys.gates());
        assertEquals("magpie:idgen:worker:7", keys.idgenWorker(7));
    }
}
