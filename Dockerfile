# Production image: gunicorn for the web, the same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=0 \
    ITSM_VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media

WORKDIR /app

# Dependencies first (cached while only the code changes); psycopg2-binary needs no compiler.
COPY pyproject.toml ./
RUN pip install .

COPY . .
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin itsm \
    && mkdir -p /app/var /data/media \
    && chown -R itsm:itsm /app/var /app/locale /data/media

USER itsm
EXPOSE 8000

CMD ["gunicorn", "itsm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
