package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class RoleHelpTest {

    @ParameterizedTest
    @CsvSource({
        "gate, Redis, cluster.secret",
        "logic, MySQL, auth.token-secret",
        "router, Kafka, cluster.secret",
        "lsb, Redis, Secrets: none",
        "notifier, MySQL, Secrets:"})
    void roleHelpSaysWhichServersAndSecretsTheRoleNeeds(String role, String server, String secret) {
        StringWriter help = new StringWriter();
        CommandLine cl = Magpie.commandLine();
        cl.setOut(new PrintWriter(help));
        cl.execute(role, "--help");
        String text = help.toString();
        assertTrue(text.contains("Needs at start:") && text.contains(server) && text.contains(secret), text);
        assertTrue(text.lines().allMatch(l -> l.length() <= 80), "no line wraps in an 80-column terminal:\n" + text);
    }
}
