package io.lrp.text;

/** Placeholder until the DJL-backed tokenizer lands (replaced by the real class). */
public class WordPieceTokenizer implements AutoCloseable {
    public Encoding encode(String text) { throw new UnsupportedOperationException(); }
    public Encoding fromIds(int[] ids) { throw new UnsupportedOperationException(); }
    public int vocabSize() { return 0; }
    public int unkId() { return 100; }
    public int clsId() { return 101; }
    public int sepId() { return 102; }
    public int padId() { return 0; }
    public String token(int id) { return ""; }
    public String source() { return ""; }
    @Override public void close() {}
}
