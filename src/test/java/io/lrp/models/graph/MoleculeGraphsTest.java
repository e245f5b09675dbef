package io.lrp.models.graph;

import io.lrp.LrpException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Molecules through CDK: atom and bond features of known molecules, scaffolds, the BACE file and its split. */
class MoleculeGraphsTest {

    @Test void benzeneIsSixAromaticCarbonsInOneRing() {
        Graph g = MoleculeGraphs.graph("c1ccccc1");
        assertEquals(6, g.nodes());
        assertEquals(6, g.edges().length);
        for (int[] a : g.nodeCat()) {
            // C, degree 2, charge 0, one hydrogen, aromatic, sp2, in a ring
            assertArrayEquals(new int[] {0, 2, 2, 1, 1, 2, 1}, a);
        }
        for (int[] b : g.edgeCat()) assertArrayEquals(new int[] {3, 1, 1, 1}, b, "aromatic, conjugated, in a ring");
        assertArrayEquals(new int[] {0, 1, 2, 3, 2, 1}, g.distance()[0]);
        assertEquals("C0", g.labels()[0]);
    }

    @Test void paracetamolAtomsBondsAndDistances() {
        Graph g = MoleculeGraphs.graph("CC(=O)Nc1ccc(O)cc1");
        assertEquals(11, g.nodes(), "C8H9NO2 has 11 heavy atoms");
        assertEquals(11, g.edges().length);
        int aromatic = 0;
        for (int[] b : g.edgeCat()) aromatic += b[1];
        assertEquals(6, aromatic);
        // atoms in SMILES order: C0 C1 O2 N3 c4 c5 c6 c7 O8 c9 c10
        assertEquals("N3", g.labels()[3]);
        assertArrayEquals(new int[] {1, 2, 2, 1, 0, 2, 0}, g.nodeCat()[3], "amide N: degree 2, one H, not aromatic, sp2 by CDK's amide type, no ring");
        assertArrayEquals(new int[] {2, 1, 2, 0, 0, 2, 0}, g.nodeCat()[2], "carbonyl O: sp2, no H");
        assertArrayEquals(new int[] {2, 1, 2, 1, 0, 3, 0}, g.nodeCat()[8], "phenol O: one H, sp3 by CDK's type");
        assertArrayEquals(new int[] {0, 1, 2, 3, 0, 3, 0}, g.nodeCat()[0], "methyl: three H, sp3");
        int co = g.edgeAt()[1][2];
        assertEquals(1, g.edgeCat()[co][0], "C=O is a double bond");
        assertEquals(0, g.edgeCat()[co][2], "C=O: its neighbour N3 carries no pi bond (lone pairs are not modelled)");
        assertEquals(1, g.edgeCat()[g.edgeAt()[4][5]][2], "a ring bond is aromatic, so conjugated");
        // C0-C1-N3-c4, then para across the ring c4-c5-c6-c7, then O8
        assertEquals(7, g.distance()[0][8]);
        assertEquals(3, g.distance()[3][6]);
    }

    @Test void conjugationFollowsAlternatingPiBonds() {
        Graph butadiene = MoleculeGraphs.graph("C=CC=C");
        for (int[] b : butadiene.edgeCat()) assertEquals(1, b[2], "every bond of butadiene is conjugated");
        Graph butene = MoleculeGraphs.graph("C=CCC");
        for (int[] b : butene.edgeCat()) assertEquals(0, b[2], "but-1-ene has no conjugation");
    }

    @Test void chargesAndHydrogens() {
        Graph g = MoleculeGraphs.graph("C[NH3+]");
        assertArrayEquals(new int[] {1, 1, 3, 3, 0}, java.util.Arrays.copyOf(g.nodeCat()[1], 5), "N+, degree 1, charge +1, three H");
        Graph explicit = MoleculeGraphs.graph("[H]OC([H])([H])[H]");
        assertEquals(2, explicit.nodes(), "explicit hydrogens are folded into methanol's C and O");
        assertEquals(3, explicit.nodeCat()[explicit.labels()[0].startsWith("O") ? 1 : 0][3]);
    }

    @Test void scaffoldsOfKnownDrugs() {
        String benzene = MoleculeGraphs.scaffold("c1ccccc1");
        assertEquals(benzene, MoleculeGraphs.scaffold("CC(=O)Nc1ccc(O)cc1"), "paracetamol's scaffold is benzene");
        assertEquals(benzene, MoleculeGraphs.scaffold("CC(C)Cc1ccc(cc1)C(C)C(=O)O"), "ibuprofen's scaffold is benzene");
        String diphenylmethane = MoleculeGraphs.scaffold("c1ccc(cc1)Cc1ccccc1");
        assertEquals(diphenylmethane, MoleculeGraphs.scaffold("CN(C)CCOC(c1ccccc1)c1ccccc1"), "diphenhydramine's scaffold is diphenylmethane");
        assertNotEquals(benzene, diphenylmethane);
        assertEquals("", MoleculeGraphs.scaffold("CCO"), "an acyclic molecule has the empty scaffold");
    }

    @Test void badSmilesAreClearErrors() {
        LrpException e = assertThrows(LrpException.class, () -> MoleculeGraphs.graph("C1CC(("));
        assertTrue(e.getMessage().startsWith("invalid SMILES 'C1CC(('"), e.getMessage());
        assertThrows(LrpException.class, () -> MoleculeGraphs.graph("  "));
        e = assertThrows(LrpException.class, () -> MoleculeGraphs.graph("[H][H]"));
        assertEquals("SMILES '[H][H]' has no heavy atoms: an empty graph", e.getMessage());
    }

    @Test void baceReadsSplitsAndReportsSkips() throws Exception {
        Path bace = io.lrp.SharedFiles.require("data/bace/bace.csv");
        MoleculeData.Set set = MoleculeData.read(bace);
        assertEquals(1513, set.entries().size() + set.skipped().size(), "every data row is read or reported");
        assertTrue(set.entries().size() > 1500, "CDK parses nearly all of BACE: " + set.skipped());
        Map<MoleculeData.Entry, MoleculeData.Part> split = MoleculeData.scaffoldSplit(set.entries(), 0.8, 0.1, 1);
        int n = set.entries().size();
        List<MoleculeData.Entry> train = MoleculeData.part(split, MoleculeData.Part.TRAIN),
                valid = MoleculeData.part(split, MoleculeData.Part.VALID), test = MoleculeData.part(split, MoleculeData.Part.TEST);
        assertEquals(n, train.size() + valid.size() + test.size());
        assertTrue(train.size() <= 0.8 * n && train.size() > 0.75 * n, "train " + train.size());
        assertTrue(valid.size() <= 0.1 * n && valid.size() > 0.08 * n, "valid " + valid.size());
        Set<String> trainScaffolds = new HashSet<>();
        for (var e : train) trainScaffolds.add(e.scaffold());
        for (var e : valid) assertFalse(trainScaffolds.contains(e.scaffold()), "scaffold in train and valid: " + e.scaffold());
        for (var e : test) assertFalse(trainScaffolds.contains(e.scaffold()), "scaffold in train and test: " + e.scaffold());
        // the same seed gives the same split, another seed another one
        assertEquals(test, MoleculeData.part(MoleculeData.scaffoldSplit(set.entries(), 0.8, 0.1, 1), MoleculeData.Part.TEST));
        assertNotEquals(test, MoleculeData.part(MoleculeData.scaffoldSplit(set.entries(), 0.8, 0.1, 2), MoleculeData.Part.TEST));
        Path out = Files.createTempFile("split", ".tsv");
        MoleculeData.writeSplit(out, split);
        List<String> lines = Files.readAllLines(out);
        assertEquals(n + 1, lines.size());
        assertTrue(lines.get(1).startsWith("2\t"), "rows sorted by line: " + lines.get(1));
        Files.delete(out);
    }

    @Test void unparseableRowsAreReportedWithTheirLine() throws Exception {
        Path f = Files.createTempFile("mols", ".csv");
        Files.writeString(f, "smiles,Class\nCCO,1\nC1CC((,0\nc1ccccc1,0\n");
        MoleculeData.Set s = MoleculeData.read(f);
        assertEquals(2, s.entries().size());
        assertEquals(1, s.skipped().size());
        assertEquals(3, s.skipped().get(0).line());
        assertTrue(s.skipped().get(0).reason().contains("invalid SMILES"), s.skipped().get(0).reason());
        Files.writeString(f, "smiles,Class\nCCO,2\n");
        LrpException e = assertThrows(LrpException.class, () -> MoleculeData.read(f));
        assertTrue(e.getMessage().endsWith(":2: label 2 is not 0 or 1"), e.getMessage());
        Files.delete(f);
    }

    @Test void rocAucByHand() {
        // positives at scores 0.9 and 0.4, negatives at 0.5 and 0.1: 3 of 4 pairs ordered
        assertEquals(0.75, MoleculeData.rocAuc(new double[] {0.9, 0.4, 0.5, 0.1}, new int[] {1, 1, 0, 0}), 1e-12);
        assertEquals(0.5, MoleculeData.rocAuc(new double[] {1, 1}, new int[] {1, 0}), 1e-12, "a tie counts one half");
    }
}
