"""Stage 2, index: chunks → a committed index build (BM25, Chroma windows, sentence vectors).

Entry points: `builder.ingest` (what `python -m rag ingest` runs), `builder.open_index`.
"""
