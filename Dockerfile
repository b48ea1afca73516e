# One image for every process of the production stack: gunicorn (the default command), Celery worker,
# Celery beat and one-shot management commands. See docs/deployment.md and docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint (PDF evidence packs) needs Pango and HarfBuzz at run time; Noto CJK renders Chinese text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 itsm \
 && useradd --system --uid 10001 --gid itsm --create-home --home-dir /home/itsm \
      --shell /usr/sbin/nologin itsm

WORKDIR /app

# Dependencies first, from pyproject.toml alone (no packages found yet, so only the dependencies are
# installed): a change to the code then reuses this layer.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

# The whole source tree: templates/, static/ and locale/ are read from here (BASE_DIR), and the wheel
# carries only .py files, so PYTHONPATH makes every process import the code from /app, never from the
# installed copy in site-packages.
COPY . .
RUN pip install --no-deps --force-reinstall . \
 && rm -rf build ./*.egg-info \
 && python -m compileall -q -j 0 /app

ENV PYTHONPATH=/app \
    DJANGO_DEBUG=0 \
    ITSM_VAR_DIR=/app/var \
    ITSM_MEDIA_ROOT=/app/var/media \
    GUNICORN_WORKERS=3

# Static files are collected into $ITSM_VAR_DIR/static at build time and served by WhiteNoise. With
# debug off the settings refuse to load without a secret key and allowed hosts: the dummy values below
# exist only for this step. Importing the settings also creates the filesystem-broker folders; they
# are not used here (the stack uses Redis) and are removed.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
      python manage.py collectstatic --no-input -v 0 \
 && rm -rf /app/var/celery \
 && mkdir -p /app/var/media \
 && chown itsm:itsm /app/var /app/var/media

# The code and the collected static files stay owned by root; the application writes only to var/
# (and media/, a volume in docker-compose.yml).
USER itsm

EXPOSE 8000

# /healthz answers 200 when the database and the broker respond, 503 otherwise. The request carries the
# first DJANGO_ALLOWED_HOSTS entry as Host header, since any other host name is refused with 400.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = h if h and h != '*' else 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8)"]

CMD ["sh", "-c", "exec gunicorn itsm.wsgi:application --bind 0.0.0.0:8000 --workers \"${GUNICORN_WORKERS:-3}\" --access-logfile -"]
