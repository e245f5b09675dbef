package io.lrp.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.cli.CliRunner;
import org.junit.jupiter.api.Test;

/** lrp serve's options: bad values are refused before any model is loaded; a taken port is one clear line. */
class ServeCliTest {
    @Test void badOptionsExitWithCode2() {
        for (String[] args : new String[][] {
                {"serve", "--port", "70000"}, {"serve", "--workers", "0"}, {"serve", "--queue", "-1"},
                {"serve", "--max-chars", "0"}, {"serve", "--timeout", "0"}, {"serve", "--max-body", "10"}}) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("lrp: error: --"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test void takenPortIsOneLine() {
        try (LrpServer s = ServerFixture.start(ServerFixture.config())) {
            CliRunner.Result r = CliRunner.run("serve", "--port", Integer.toString(s.port()), "--models", "paper-sst2");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("lrp: error: cannot listen on 127.0.0.1:" + s.port()), r.err());
        }
    }

    @Test void helpNamesTheEndpoints() {
        CliRunner.Result r = CliRunner.run("serve", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("/openapi.json") && r.out().contains("--max-texts") && r.out().contains("SIGTERM"), r.out());
    }
}
