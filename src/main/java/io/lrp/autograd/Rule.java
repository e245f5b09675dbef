package io.lrp.autograd;

/** A replacement backward for one node (methods.md section 3). */
public sealed interface Rule {

    /** Stop-gradient: the value is a constant of the backward pass. */
    record Stop() implements Rule {}

    /** Identity rule for an elementwise activation a(z): g_in = g_out * a(z) / z. */
    record Identity() implements Rule {}

    /** Uniform rule: the gradient is multiplied by a constant at the node's output. */
    record Scale(double factor) implements Rule {}

    /**
     * Gamma rule for a linear layer: forward from W, backward through W + gamma max(W, 0) and
     * b + gamma max(b, 0), i.e. out = zp * (z / zp).detach().
     */
    record Gamma(double gamma) implements Rule {
        public Gamma {
            if (!(gamma >= 0)) throw new IllegalArgumentException("gamma must be >= 0, got " + gamma);
        }
    }

    Stop STOP = new Stop();
    Identity IDENTITY = new Identity();
}
