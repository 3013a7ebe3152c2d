"""Stage 4, answer: hits → a cited `Answer`, from extracts (no LLM) or from an LLM.

Entry point: `assistant.Assistant.open(settings)`, the one way to assemble the assistant.
"""
