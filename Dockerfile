# The partnergraph API. Neo4j runs beside it (docker-compose.yml) or anywhere NEO4J_URI points.
FROM python:3.11-slim

WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

COPY pyproject.toml constraints.txt README.md ./
COPY api ./api
COPY graph ./graph
COPY resolvers ./resolvers
COPY loaders ./loaders
RUN pip install --no-cache-dir -c constraints.txt .

RUN useradd --create-home partnergraph && mkdir var && chown partnergraph var
USER partnergraph

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["partnergraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
