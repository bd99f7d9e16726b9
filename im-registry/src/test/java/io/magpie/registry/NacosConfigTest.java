package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NacosConfigTest {

    @Test
    void defaultsNamespaceGroupServiceAndNoLogin() {
        NacosConfig config = NacosConfig.of(" 10.0.0.9:8848 ");
        assertEquals("10.0.0.9:8848", config.serverAddr());
        assertEquals("", config.namespace());
        assertEquals("DEFAULT_GROUP", config.group());
        assertEquals("magpie-gate", config.service());
        assertFalse(config.authenticated());
        NacosConfig blanks = new NacosConfig("h:8848", null, " ", "", "", "");
        assertEquals(NacosConfig.of("h:8848"), blanks);
    }

    @Test
    void acceptsSeveralServersAndUrls() {
        assertEquals("a:8848,b.example.com:8848,http://c:8848",
                NacosConfig.of("a:8848,b.example.com:8848,http://c:8848").serverAddr());
    }

    @Test
    void aMissingOrMalformedAddressSaysWhatToSet() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> NacosConfig.of(null));
        assertTrue(missing.getMessage().contains("registry.nacos.server-addr is not set"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NacosConfig.of("  "));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> NacosConfig.of("a:8848,,b"));
        assertTrue(bad.getMessage().contains("registry.nacos.server-addr"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NacosConfig.of("a b:8848"));
    }

    @Test
    void refusesNamesNacosCannotHold() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NacosConfig("h:8848", "", "g@@x", null, null, null));
        assertTrue(e.getMessage().contains("registry.nacos.group"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NacosConfig("h:8848", "", null, "a b", null, null));
        assertThrows(IllegalArgumentException.class, () -> new NacosConfig("h:8848", "n s", null, null, null, null));
    }

    @Test
    void usernameAndPasswordComeTogetherAndThePasswordIsNeverPrinted() {
        NacosConfig login = new NacosConfig("h:8848", "prod", null, null, "magpie", "s3cret-pass");
        assertTrue(login.authenticated());
        assertFalse(login.toString().contains("s3cret-pass"), login.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NacosConfig("h:8848", "", null, null, "magpie", null));
        assertTrue(e.getMessage().contains("registry.nacos.password"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NacosConfig("h:8848", "", null, null, null, "pw"));
        assertNull(new NacosConfig("h:8848", "", null, null, " ", "").username());
    }
}
