"""The WSGI entry point for production servers: ``gunicorn -c feedback/gunicorn_conf.py``."""

from feedback import create_app
from feedback.config import for_serving

app = create_app(for_serving())
