# The chat page for an organisation (docs/deployment.md). The image holds the
# code, the material and its shipped vectors, so a container answers without embedding;
# compose.yaml runs several of these behind a proxy, with a Chroma server and PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    TILLID_DATA_DIR=/data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY rag/ rag/
RUN pip install -e ".[postgres]"
COPY app.py ./
COPY prompts/ prompts/
COPY corpus/ corpus/
COPY .streamlit/ .streamlit/

# The index (and, without TILLID_DATABASE_URL, the SQLite store) lives in a volume.
VOLUME /data
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"

# Ingest is a no-op when the index in /data is current (compose runs it once, beforehand).
CMD ["sh", "-c", "python -m rag ingest && exec python -m rag serve -- --server.address 0.0.0.0 --server.port 8501"]
