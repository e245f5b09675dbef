package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openscience.cdk.CDKConstants;
import org.openscience.cdk.depict.DepictionGenerator;
import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.interfaces.IAtomContainer;

/**
 * A molecule drawn once per explanation (CDK depiction), side by side, each atom under a glow
 * coloured by its relevance: red for positive, blue for negative, the strength |R| / max |R| of
 * that explanation's atoms (the text heatmaps' scale). The title names the method and the
 * relevance of the virtual node, which has no atom to colour.
 */
public final class MoleculeSvg {
    private MoleculeSvg() {}

    public static String render(String smiles, List<Explanation> row) {
        List<IAtomContainer> mols = new ArrayList<>();
        DepictionGenerator gen = new DepictionGenerator().withOuterGlowHighlight(6).withMolTitle().withTitleScale(0.7).withZoom(1.6);
        for (Explanation e : row) {
            IAtomContainer mol = MoleculeGraphs.parseForDrawing(smiles);
            if (mol.getAtomCount() + 1 != e.relevance().length) {
                throw new LrpException("explanation of " + e.relevance().length + " nodes for a molecule of " + mol.getAtomCount() + " atoms");
            }
            double max = 1e-12;
            for (int i = 1; i < e.relevance().length; i++) max = Math.max(max, Math.abs(e.relevance()[i]));
            for (int i = 0; i < mol.getAtomCount(); i++) gen = gen.withHighlight(List.of(mol.getAtom(i)), color(e.relevance()[i + 1] / max));
            mol.setProperty(CDKConstants.TITLE, String.format(Locale.ROOT, "%s ([GRAPH] %+.3f)", e.method(), e.relevance()[0]));
            mols.add(mol);
        }
        try {
            return gen.depict(mols, 1, mols.size()).toSvgStr();
        } catch (CDKException e) {
            throw new LrpException("cannot draw '" + smiles + "': " + e.getMessage());
        }
    }

    /** White to red for s in (0, 1], white to blue for s in [-1, 0). */
    static Color color(double s) {
        double a = Math.min(1, Math.abs(s));
        int fade = (int) Math.round(255 * (1 - a));
        return s >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
    }
}
