# The partnergraph API. Neo4j runs beside it (docker-compose.yml) or anywhere NEO4J_URI points.

# The map page (GET /map), built with the locked npm packages; only its dist is kept.
FROM node:20-slim AS page
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim

WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PARTNERGRAPH_MAP_DIST=/app/web/dist

COPY pyproject.toml constraints.txt README.md ./
COPY api ./api
COPY graph ./graph
COPY resolvers ./resolvers
COPY loaders ./loaders
RUN pip install --no-cache-dir -c constraints.txt .
COPY --from=page /web/dist ./web/dist

RUN useradd --create-home partnergraph && mkdir var && chown partnergraph var
USER partnergraph

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["partnergraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
