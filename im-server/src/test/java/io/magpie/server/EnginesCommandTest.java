package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.server.config.ConfigTree;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnginesCommandTest {

    @Test
    void exportsAreShellLinesThatKeepTheValueExactly() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("MAGPIE_MYSQL_PASSWORD", "it's $HOME");
        vars.put("MAGPIE_MYSQL_USER", "root");
        assertEquals("export MAGPIE_MYSQL_PASSWORD='it'\\''s $HOME'\nexport MAGPIE_MYSQL_USER='root'\n",
                EnginesCommand.exports(vars));
    }

    @Test
    void theVariablesAreTheRoleKeysEnvironmentNames() {
        ConfigTree tree = ConfigTree.of("""
                redis:
                  uri: redis://127.0.0.1:6390
                cluster:
                  secret: s
                """, Map.of());
        Map<String, String> vars = EnginesCommand.roleVariables(tree);
        assertEquals("redis://127.0.0.1:6390", vars.get("MAGPIE_REDIS_URI"));
        assertEquals("s", vars.get("MAGPIE_CLUSTER_SECRET"));
        assertEquals(EnginesCommand.ROLE_KEYS.size(), vars.size());
    }
}
