package io.lrp.data;

/** One labelled text, with where it came from (file and line) for error messages and reports. */
public record Example(String text, int label, String source, int line) {}
