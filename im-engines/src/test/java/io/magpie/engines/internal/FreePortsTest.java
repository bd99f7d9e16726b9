package io.magpie.engines.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsForALaterBindAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
        int[] ports = FreePorts.forLaterBind(8);

        assertEquals(8, Arrays.stream(ports).distinct().count(), Arrays.toString(ports));
        int low = FreePorts.ephemeralLow();
        for (int port : ports) {
            assertTrue(port >= FreePorts.LOWEST && port < low, port + " outside [20000, " + low + ")");
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, s.getLocalPort(), "released for the server that binds it");
            }
        }
    }

    @Test
    void anEphemeralPortIsNeverOneForALaterBind() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(s.getLocalPort() >= FreePorts.ephemeralLow(), "the OS picks port 0 binds from its range: "
                    + s.getLocalPort());
        }
    }
}
