"""Stage 3, search: a question analysed once (`question.Question`) → ranked hybrid hits
(`retrieve.Searcher`, also as the LangChain retriever `retrieve.TillidRetriever`)."""
