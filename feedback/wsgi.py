"""The WSGI entry point for production servers: ``gunicorn -c feedback/gunicorn_conf.py``."""

from feedback import create_app

app = create_app()
