package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openscience.cdk.CDKConstants;
import org.openscience.cdk.depict.Depiction;
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

    /** The drawings as one SVG document. */
    public static String render(String smiles, List<Explanation> row) { return depict(smiles, row).toSvgStr(); }

    /** The drawings as one PNG image (CDK's raster rendering, {@value #PNG_SCALE} times its default size). */
    public static byte[] png(String smiles, List<Explanation> row) {
        // the raster size at CDK's default scale, then the drawings filled into PNG_SCALE times that (zooming alone crops)
        java.awt.image.BufferedImage small = depict(smiles, row, 0, 0).toImg();
        java.awt.image.BufferedImage img = depict(smiles, row, PNG_SCALE * small.getWidth(), PNG_SCALE * small.getHeight()).toImg();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            if (!javax.imageio.ImageIO.write(img, "png", out)) throw new LrpException("no PNG writer in this Java runtime");
        } catch (java.io.IOException e) {
            throw new LrpException("cannot encode the PNG of '" + smiles + "': " + e.getMessage());
        }
        return out.toByteArray();
    }

    /** Raster scale of the PNG drawings: CDK's default is about 10 pixels a bond, too small to read atom labels. */
    static final double PNG_SCALE = 3;

    private static Depiction depict(String smiles, List<Explanation> row) { return depict(smiles, row, 0, 0); }

    /** The drawings; width and height 0: CDK's own size. */
    private static Depiction depict(String smiles, List<Explanation> row, double width, double height) {
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
        // the margin holds the glow of atoms at the edge (CDK leaves it out of the bounds): millimetres in SVG, pixels in PNG
        gen = width > 0 ? gen.withSize(width, height).withFillToFit().withMargin(0.06 * height) : gen.withMargin(2.5);
        try {
            return gen.depict(mols, 1, mols.size());
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
