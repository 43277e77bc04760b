# The Hugging Face Space (Docker SDK); see docs/deploy.md. Build context: this repository.
FROM python:3.12-slim

# Spaces run the container as UID 1000: the app's files and its data belong to that user.
RUN useradd --create-home --uid 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# The Space shows the app in an iframe on huggingface.co, where browsers block the app's
# XSRF cookie: Hugging Face's "Cookie limitations in Spaces" says to turn the check off.
ENV STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION=false
# The code never changes inside a running container: no file watcher.
ENV STREAMLIT_SERVER_FILE_WATCHER_TYPE=none
# The outbox of answers not yet saved; a Space's disk is ephemeral (docs/reliability.md).
ENV STUDYGAME_DATA_DIR=/home/user/data
WORKDIR /home/user/app

COPY --chown=user . .
# The hashed pins first, then the app itself without re-resolving anything.
RUN pip install --user --no-warn-script-location --require-hashes -r requirements.lock \
    && pip install --user --no-warn-script-location --no-deps .

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
# No `alembic upgrade head` here: migrations run once, from a laptop, on Neon's direct URL
# (`studygame db upgrade`, docs/deploy.md); the app says so when the schema is behind.
CMD ["streamlit", "run", "Home.py", "--server.address=0.0.0.0", "--server.port=8501"]
