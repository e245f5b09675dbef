package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import io.lrp.autograd.Role;
import io.lrp.autograd.Rule;
import io.lrp.autograd.RuleSet;
import io.lrp.cli.CliRunner;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The method registry: names, help, --method all and the cost models all come from one list. */
class MethodRegistryTest {

    @Test
    void idsAreUniqueAndParseBackToTheSameMethod() {
        Set<String> seen = new HashSet<>();
        for (Method m : Methods.ALL) {
            assertTrue(seen.add(m.id()), "duplicate id " + m.id());
            assertFalse(m.description().isBlank(), m.id());
            assertSame(m, Method.parse(m.id().toUpperCase()));
        }
        assertEquals(13, Methods.ALL.size());
        assertEquals(Methods.ALL, Method.parseList("all"));
        assertEquals(List.of(Method.GI, Method.LRP_AH_LN), Method.parseList("gi, lrp-ah-ln,gi"));
        LrpException e = assertThrows(LrpException.class, () -> Method.parse("lrp-xyz"));
        assertTrue(e.getMessage().contains(String.join(", ", Method.ids())), e.getMessage());
    }

    @Test
    void explainHelpListsEveryMethodWithItsHelpLine() {
        CliRunner.Result r = CliRunner.run("explain", "--help");
        assertEquals(0, r.code(), r.err());
        String help = r.out().replaceAll("\\s+", " "); // picocli wraps long lines
        assertTrue(help.contains("or all: " + String.join(", ", Method.ids()) + "."), r.out());
        for (Method m : Methods.ALL) {
            assertTrue(help.contains(m.id() + " " + Methods.cost(m) + " " + m.description()), "help lacks " + m.id() + ":\n" + r.out());
        }
    }

    @Test
    void costModelsCombineTheModelsPasses() {
        Cost c = new Cost(10, 1000, 300, 700);
        Relevance.Options o = Relevance.Options.DEFAULT;
        assertEquals(1300, Method.LRP_AH_LN.flops(c, o));
        assertEquals(1300, Method.LRP_AH.flops(c, o));
        assertEquals(1700, Method.GI.flops(c, o));
        assertEquals(1700, Method.ATTNLRP.flops(c, o));
        assertEquals(1700, Method.GAE.flops(c, o));
        assertEquals(1000 + 50 * 1700, Method.IG.flops(c, o));
        assertEquals(12 * 1000, Method.OCCLUSION.flops(c, o));
        for (Method m : List.of(Method.A_LAST, Method.ROLLOUT, Method.RANDOM, Method.ATTENTION_FLOW)) assertEquals(1000, m.flops(c, o));
    }

    @Test
    void aRuleNoOpOfTheRoleImplementsIsRefusedWhenTheRuleSetIsBuilt() {
        LrpException e = assertThrows(LrpException.class,
                () -> RuleSet.of("bad", Map.of(Role.ATTENTION_PROBS, Rule.IDENTITY)));
        assertTrue(e.getMessage().contains("cannot be applied to ATTENTION_PROBS"), e.getMessage());
        assertThrows(LrpException.class, () -> RuleSet.of("bad", Map.of(Role.ACTIVATION, Rule.STOP)));
        assertThrows(LrpException.class, () -> RuleSet.of("bad", Map.of(Role.NORM_SCALE, new Rule.Gamma(0.25))));
        assertThrows(LrpException.class, () -> RuleSet.of("bad", Map.of(Role.PLAIN, Rule.STOP)));
        // the gamma rule on linear layers, the built-in rule sets: accepted
        assertEquals("lrp-ah-ln+gamma0.25", RuleSet.LRP_AH_LN.withGamma(0.25).name());
        assertEquals("lrp-ah-ln+gamma0.25", Method.LRP_AH_LN.rules(new Relevance.Options(0.25, 50, 0)).name());
        assertEquals("gradient", Method.GI.rules(new Relevance.Options(0.25, 50, 0)).name());
    }
}
