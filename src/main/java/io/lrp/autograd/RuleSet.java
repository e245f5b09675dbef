package io.lrp.autograd;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Which rule replaces the backward of which role; roles not mentioned get the plain gradient. */
public final class RuleSet {
    private final String name;
    private final Map<Role, Rule> rules;

    private RuleSet(String name, Map<Role, Rule> rules) {
        this.name = name;
        EnumMap<Role, Rule> m = new EnumMap<>(Role.class);
        m.putAll(rules);
        m.remove(Role.PLAIN);
        this.rules = Collections.unmodifiableMap(m);
    }

    public static RuleSet of(String name, Map<Role, Rule> rules) { return new RuleSet(name, rules); }

    /** The plain gradient everywhere (Gradient x Input, saliency, GAE, IG, training). */
    public static final RuleSet GRADIENT = new RuleSet("gradient", Map.of());

    /** LRP with the AH-rule: attention probabilities constant, activations by the identity rule. */
    public static final RuleSet LRP_AH = new RuleSet("lrp-ah", Map.of(
            Role.ATTENTION_PROBS, Rule.STOP,
            Role.ACTIVATION, Rule.IDENTITY,
            Role.GATE, Rule.STOP));

    /** LRP with the AH- and LN-rules: additionally the LayerNorm scale constant. */
    public static final RuleSet LRP_AH_LN = new RuleSet("lrp-ah-ln", Map.of(
            Role.ATTENTION_PROBS, Rule.STOP,
            Role.NORM_SCALE, Rule.STOP,
            Role.ACTIVATION, Rule.IDENTITY,
            Role.GATE, Rule.STOP));

    /** AttnLRP (Achtibat et al. 2024): softmax differentiated, attention products halved. */
    public static final RuleSet ATTNLRP = new RuleSet("attnlrp", Map.of(
            Role.NORM_SCALE, Rule.STOP,
            Role.ACTIVATION, Rule.IDENTITY,
            Role.ATTENTION_MATMUL, new Rule.Scale(0.5),
            Role.GATE, new Rule.Scale(0.5)));

    /** This rule set plus the gamma rule on the encoder's linear layers (gamma 0 changes nothing). */
    public RuleSet withGamma(double gamma) {
        if (gamma == 0) return this;
        EnumMap<Role, Rule> m = new EnumMap<>(Role.class);
        m.putAll(rules);
        m.put(Role.ENCODER_LINEAR, new Rule.Gamma(gamma));
        return new RuleSet(name + "+gamma" + gamma, m);
    }

    public Rule get(Role role) { return rules.get(role); }

    public boolean stops(Role role) { return rules.get(role) instanceof Rule.Stop; }

    public String name() { return name; }

    @Override public String toString() { return name + rules; }
}
