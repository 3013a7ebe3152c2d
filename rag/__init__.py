"""Tillidsguiden: answers from the guidance material on trust and cooperation, with sources.

The packages follow the flow of the material, and no module imports from a stage after its own:

    ingest/   corpus files → repaired, deduplicated, structured chunks and their sentences
    index/    chunks → a committed index build: BM25, Chroma windows, cached vectors
    search/   a question, analysed once → hybrid hits (and the LangChain retriever)
    answer/   hits → a cited answer: evidence, extracts or an LLM, follow-ups, rendering
    chat/     what a chat session leaves behind (feedback)
    measure/  evaluation, benchmarks and their reports
    cli.py    `python -m rag …`: parses and dispatches; app.py is the page

Shared by all: config.py (every setting), documents.py (the data passed between stages) and
text.py (folding, shingles, what BM25 reads of a chunk).
"""
