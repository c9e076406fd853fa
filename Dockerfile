# One image for every process of docker-compose.yml: web (gunicorn), worker, beat, migrate.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
WORKDIR /app

# Dependencies first, so that a code change reuses this layer. pyproject.toml lists no
# packages: `pip install .` brings only the dependencies; the code runs from /app.
COPY pyproject.toml README.md ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Static files are collected into the image and served by whitenoise. Production settings
# refuse to load without their secrets, so the build gives throwaway ones; nothing is kept.
RUN DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=collectstatic-only-not-a-secret-collectstatic-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    SITE_URL=https://localhost \
    TOKEN_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "advocacy.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
