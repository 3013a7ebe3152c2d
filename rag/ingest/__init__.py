"""Stage 1, ingest: the corpus folder's files → repaired, deduplicated, structured chunks.

Entry point: `pipeline.build_chunks`. Nothing here writes an index (that is rag.index).
"""
