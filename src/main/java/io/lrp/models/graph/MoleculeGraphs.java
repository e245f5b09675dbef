package io.lrp.models.graph;

import io.lrp.LrpException;
import java.util.ArrayList;
import java.util.List;
import org.openscience.cdk.aromaticity.Aromaticity;
import org.openscience.cdk.aromaticity.ElectronDonation;
import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.exception.InvalidSmilesException;
import org.openscience.cdk.fragment.MurckoFragmenter;
import org.openscience.cdk.graph.Cycles;
import org.openscience.cdk.interfaces.IAtom;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.interfaces.IAtomType;
import org.openscience.cdk.interfaces.IBond;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smiles.SmiFlavor;
import org.openscience.cdk.smiles.SmilesGenerator;
import org.openscience.cdk.smiles.SmilesParser;
import org.openscience.cdk.tools.manipulator.AtomContainerManipulator;

/**
 * Molecules as graphs with the Chemistry Development Kit: heavy atoms are nodes, bonds edges.
 *
 * <p>Atom columns (category index; the last of each is "other"): element (C N O S F Cl Br I P B
 * Si Se, other), heavy-atom degree (0..5, 6+), formal charge (-2..+2, other), hydrogens
 * (implicit + folded explicit: 0..3, 4+), aromatic (no, yes), hybridisation from CDK's atom
 * typing (s, sp, sp2, sp3, sp3d, sp3d2, unknown), ring membership (no, yes).
 * Bond columns: order (single, double, triple, aromatic, other), aromatic, conjugated, in a ring.
 * Aromaticity is CDK's Daylight model over all cycles. Conjugated: aromatic, or a single bond
 * both of whose atoms carry a double, triple or aromatic bond, or a double or triple bond next
 * to such a single bond.
 */
public final class MoleculeGraphs {
    private MoleculeGraphs() {}

    static final String[] ELEMENTS = {"C", "N", "O", "S", "F", "Cl", "Br", "I", "P", "B", "Si", "Se"};
    static final IAtomType.Hybridization[] HYBRIDISATIONS = {IAtomType.Hybridization.S, IAtomType.Hybridization.SP1,
            IAtomType.Hybridization.SP2, IAtomType.Hybridization.SP3, IAtomType.Hybridization.SP3D1, IAtomType.Hybridization.SP3D2};

    /** Categories per atom column. */
    public static final int[] NODE_CARDINALITIES = {ELEMENTS.length + 1, 7, 6, 5, 2, HYBRIDISATIONS.length + 1, 2};
    /** Categories per bond column. */
    public static final int[] EDGE_CARDINALITIES = {5, 2, 2, 2};

    private static final Aromaticity AROMATICITY = new Aromaticity(ElectronDonation.daylight(), Cycles.or(Cycles.all(), Cycles.all(6)));

    /** The molecule of a SMILES string, hydrogens folded into their heavy atoms, atom types and aromaticity perceived. */
    public static IAtomContainer parse(String smiles) {
        if (smiles == null || smiles.isBlank()) throw new LrpException("empty SMILES");
        IAtomContainer mol;
        try {
            mol = new SmilesParser(SilentChemObjectBuilder.getInstance()).parseSmiles(smiles.trim());
        } catch (InvalidSmilesException e) {
            throw new LrpException("invalid SMILES '" + smiles + "': " + firstLine(e.getMessage()));
        }
        mol = AtomContainerManipulator.suppressHydrogens(mol);
        boolean heavy = false;
        for (IAtom a : mol.atoms()) heavy |= a.getAtomicNumber() == null || a.getAtomicNumber() != 1;
        if (!heavy) throw new LrpException("SMILES '" + smiles + "' has no heavy atoms: an empty graph");
        for (IAtom a : mol.atoms()) {
            if (a.getImplicitHydrogenCount() == null) a.setImplicitHydrogenCount(0);
        }
        try {
            // atom typing sets the hybridisation; it keeps the hydrogen counts the parser set
            int[] hydrogens = new int[mol.getAtomCount()];
            for (int i = 0; i < hydrogens.length; i++) hydrogens[i] = mol.getAtom(i).getImplicitHydrogenCount();
            AtomContainerManipulator.percieveAtomTypesAndConfigureAtoms(mol);
            for (int i = 0; i < hydrogens.length; i++) mol.getAtom(i).setImplicitHydrogenCount(hydrogens[i]);
            Cycles.markRingAtomsAndBonds(mol);
            AROMATICITY.apply(mol);
        } catch (CDKException e) {
            throw new LrpException("SMILES '" + smiles + "': " + firstLine(e.getMessage()));
        }
        return mol;
    }

    /**
     * The molecule as {@link #parse} numbers its atoms (hydrogens folded), without atom typing:
     * for drawing, where typed atoms would be labelled like unusual ones.
     */
    public static IAtomContainer parseForDrawing(String smiles) {
        parse(smiles); // the same checks and messages
        try {
            return AtomContainerManipulator.suppressHydrogens(new SmilesParser(SilentChemObjectBuilder.getInstance()).parseSmiles(smiles.trim()));
        } catch (InvalidSmilesException e) {
            throw new LrpException("invalid SMILES '" + smiles + "': " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).strip();
        return line.endsWith(":") ? line.substring(0, line.length() - 1) : line;
    }

    /** The graph of a SMILES string; an invalid one or one without heavy atoms is an LrpException. */
    public static Graph graph(String smiles) { return graph(smiles, parse(smiles)); }

    /** The graph of a parsed molecule; node labels are the element and atom index, e.g. N7. */
    public static Graph graph(String name, IAtomContainer mol) {
        int n = mol.getAtomCount();
        String[] labels = new String[n];
        int[][] cat = new int[n][];
        for (int i = 0; i < n; i++) {
            IAtom a = mol.getAtom(i);
            labels[i] = a.getSymbol() + i;
            cat[i] = atomFeatures(mol, a);
        }
        int[][] edges = new int[mol.getBondCount()][], ecat = new int[mol.getBondCount()][];
        for (int e = 0; e < edges.length; e++) {
            IBond b = mol.getBond(e);
            edges[e] = new int[] {b.getBegin().getIndex(), b.getEnd().getIndex()};
            ecat[e] = bondFeatures(mol, b);
        }
        return Graph.of(name, labels, cat, new float[n][0], edges, ecat);
    }

    static int[] atomFeatures(IAtomContainer mol, IAtom a) {
        int element = ELEMENTS.length;
        for (int k = 0; k < ELEMENTS.length; k++) if (ELEMENTS[k].equals(a.getSymbol())) element = k;
        int degree = Math.min(mol.getConnectedBondsCount(a), 6);
        Integer q = a.getFormalCharge();
        int charge = q == null ? 2 : (q >= -2 && q <= 2 ? q + 2 : 5);
        int h = Math.min(a.getImplicitHydrogenCount() == null ? 0 : a.getImplicitHydrogenCount(), 4);
        int hyb = HYBRIDISATIONS.length;
        for (int k = 0; k < HYBRIDISATIONS.length; k++) if (HYBRIDISATIONS[k] == a.getHybridization()) hyb = k;
        return new int[] {element, degree, charge, h, a.isAromatic() ? 1 : 0, hyb, a.isInRing() ? 1 : 0};
    }

    static int[] bondFeatures(IAtomContainer mol, IBond b) {
        int order;
        if (b.isAromatic()) order = 3;
        else if (b.getOrder() == IBond.Order.SINGLE) order = 0;
        else if (b.getOrder() == IBond.Order.DOUBLE) order = 1;
        else if (b.getOrder() == IBond.Order.TRIPLE) order = 2;
        else order = 4;
        return new int[] {order, b.isAromatic() ? 1 : 0, conjugated(mol, b) ? 1 : 0, b.isInRing() ? 1 : 0};
    }

    private static boolean pi(IBond b) {
        return b.isAromatic() || b.getOrder() == IBond.Order.DOUBLE || b.getOrder() == IBond.Order.TRIPLE;
    }

    /** Whether an atom has a pi bond other than the given bond. */
    private static boolean otherPi(IAtomContainer mol, IAtom a, IBond except) {
        for (IBond o : mol.getConnectedBondsList(a)) if (o != except && pi(o)) return true;
        return false;
    }

    static boolean conjugated(IAtomContainer mol, IBond b) {
        if (b.isAromatic()) return true;
        if (!pi(b)) return otherPi(mol, b.getBegin(), b) && otherPi(mol, b.getEnd(), b);
        for (IAtom end : List.of(b.getBegin(), b.getEnd())) {
            for (IBond s : mol.getConnectedBondsList(end)) {
                if (s != b && !pi(s) && otherPi(mol, s.getOther(end), s)) return true;
            }
        }
        return false;
    }

    /**
     * The Bemis-Murcko scaffold (ring systems and the linkers between them, side chains removed;
     * CDK's MurckoFragmenter) as a unique SMILES; "" for a molecule without rings.
     */
    public static String scaffold(IAtomContainer mol) {
        try {
            IAtomContainer copy = mol.clone();
            for (IAtom a : copy.atoms()) a.setProperty(VALENCE, bondOrderSum(copy, a));
            IAtomContainer s = MurckoFragmenter.scaffold(copy);
            if (s == null || s.isEmpty()) return "";
            // a removed side chain becomes hydrogens on the atom it hung from
            for (IAtom a : s.atoms()) {
                Integer before = a.getProperty(VALENCE);
                int h = a.getImplicitHydrogenCount() == null ? 0 : a.getImplicitHydrogenCount();
                if (before != null) a.setImplicitHydrogenCount(h + before - bondOrderSum(s, a));
            }
            return new SmilesGenerator(SmiFlavor.Unique).create(s);
        } catch (CloneNotSupportedException | CDKException e) {
            throw new LrpException("cannot compute the scaffold: " + e.getMessage());
        }
    }

    private static final String VALENCE = "lrp.bondOrderSum";

    private static int bondOrderSum(IAtomContainer mol, IAtom a) {
        int v = 0;
        for (IBond b : mol.getConnectedBondsList(a)) v += b.getOrder() == null || b.getOrder() == IBond.Order.UNSET ? 1 : b.getOrder().numeric();
        return v;
    }

    /** Scaffold of a SMILES string. */
    public static String scaffold(String smiles) { return scaffold(parse(smiles)); }

    /** The graph and the scaffold of one SMILES, parsed once. */
    public record Molecule(String smiles, Graph graph, String scaffold) {}

    public static Molecule molecule(String smiles) {
        IAtomContainer mol = parse(smiles);
        return new Molecule(smiles, graph(smiles, mol), scaffold(mol));
    }

    /** Column names for views and the README. */
    public static List<String> atomColumns() {
        return new ArrayList<>(List.of("element", "degree", "formal charge", "hydrogens", "aromatic", "hybridisation", "in ring"));
    }
}
