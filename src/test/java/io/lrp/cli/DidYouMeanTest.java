package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A misspelled method name gets a suggestion; a name far from every method gets none. */
class DidYouMeanTest {
    @Test
    void misspelledMethodsGetASuggestion() {
        CliRunner.Result r = CliRunner.run("explain", "--method", "lrp-ahln", "a film");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("lrp: error: unknown method 'lrp-ahln' (did you mean lrp-ah-ln?)"), r.err());
        r = CliRunner.run("evaluate", "--methods", "gi,rolout", "--data", "x", "--out", "y");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("(did you mean rollout?)"), r.err());
        r = CliRunner.run("explain", "--method", "shap", "a film");
        assertEquals(2, r.code());
        assertTrue(!r.err().contains("did you mean"), r.err());
    }
}
