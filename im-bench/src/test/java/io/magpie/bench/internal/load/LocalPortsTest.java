package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalPortsTest {

    private static final InetAddress A = InetAddress.getLoopbackAddress();

    @Test
    void addressesAlternateAndEachCountsItsOwnPortsAfterTheWarmUpOnes() throws Exception {
        InetAddress b = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        ConnectPhase.LocalPorts ports = new ConnectPhase.LocalPorts(List.of(A, b), 5, 0, 1);
        assertEquals(new InetSocketAddress(A, 10_005), ports.next(0));
        assertEquals(new InetSocketAddress(b, 10_005), ports.next(1));
        assertEquals(new InetSocketAddress(A, 10_006), ports.next(2));
    }

    @Test
    void workerProcessesGetDisjointSlicesThatWrap() {
        Set<Integer> seen = new HashSet<>();
        for (int share = 0; share < 3; share++) {
            ConnectPhase.LocalPorts ports = new ConnectPhase.LocalPorts(List.of(A), 0, share, 3);
            for (int j = 0; j < ConnectPhase.LocalPorts.SPAN / 3; j++) {
                int port = ports.next(j).getPort();
                assertTrue(port >= 10_000 && port <= 65_535, "port " + port);
                assertTrue(seen.add(port), "port " + port + " handed out twice");
            }
        }
        ConnectPhase.LocalPorts wraps = new ConnectPhase.LocalPorts(List.of(A), ConnectPhase.LocalPorts.SPAN, 0, 1);
        assertEquals(10_000, wraps.next(0).getPort());
    }

    @Test
    void noSourceAddressesMeansTheKernelChooses() {
        assertNull(new ConnectPhase.LocalPorts(List.of(), 0, 0, 1).next(0));
    }
}
