package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code magpie standalone} listens on loopback unless told otherwise (issue 8 point 1): every public
 * listener (client TCP/WebSocket, account API, LSB) binds the {@code --bind} address, 127.0.0.1 by
 * default, and the internal push port keeps its own loopback default; a file or variable still wins.
 */
class StandaloneBindingTest {

    private static final String SECRETS = """
            auth:
              token-secret: "standalone-binding-test-token-secret-0123"
            cluster:
              secret: "standalone-binding-test-cluster-secret-0123"
            """;

    @Test
    void byDefaultEveryListenerIsOnLoopback() {
        ConfigTree tree = ConfigTree.of(SECRETS, Map.of());
        StandaloneCommand.bindListeners(tree, StandaloneCommand.LOOPBACK);
        Settings settings = new Settings(tree);

        assertEquals("127.0.0.1", settings.gate().bindAddress());
        assertEquals("127.0.0.1", settings.gate().internalBind());
        assertEquals("127.0.0.1", settings.logic().httpHost());
        assertEquals("127.0.0.1", settings.lsb().host());
        assertEquals("127.0.0.1", settings.gate().advertisedHost());
    }

    @Test
    void theBindFlagOpensThePublicListenersButNotTheInternalPort() {
        ConfigTree tree = ConfigTree.of(SECRETS, Map.of());
        StandaloneCommand.bindListeners(tree, "0.0.0.0");
        Settings settings = new Settings(tree);

        assertEquals("0.0.0.0", settings.gate().bindAddress());
        assertEquals("0.0.0.0", settings.logic().httpHost());
        assertEquals("0.0.0.0", settings.lsb().host());
        assertEquals("127.0.0.1", settings.gate().internalBind(), "the router is in the same process");
    }

    @Test
    void aSettingInTheFileOrEnvironmentWinsOverTheFlag() {
        ConfigTree tree = ConfigTree.of(SECRETS + "lsb:\n  host: 10.0.0.5\n", Map.of("MAGPIE_GATE_BIND", "10.0.0.6"));
        StandaloneCommand.bindListeners(tree, StandaloneCommand.LOOPBACK);
        Settings settings = new Settings(tree);

        assertEquals("10.0.0.6", settings.gate().bindAddress());
        assertEquals("10.0.0.5", settings.lsb().host());
        assertEquals("127.0.0.1", settings.logic().httpHost());
    }
}
