"""Security headers on every response, and trusting a reverse proxy's headers only when told to.

The Content-Security-Policy allows scripts and styles from our own origin only: templates carry no
inline ``<script>`` or ``style=""``, so an injected comment cannot run code even if escaping failed.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from feedback.addresses import in_networks

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

#: Blueprints whose pages show staff comments, contacts and cases. A shared office computer must not
#: keep them in its cache, to be read by the next person through Back or the browser's history.
STAFF_BLUEPRINTS = frozenset({"review", "dashboard", "admin"})

#: Two years, the value browsers' preload lists expect.
HSTS = "max-age=63072000; includeSubDomains"


def _has_secure_flag(cookie: str) -> bool:
    return any(part.strip().lower() == "secure" for part in cookie.split(";")[1:])


class SecureCookies:
    """Mark every cookie Secure on a request that arrived over HTTPS.

    A WSGI wrapper rather than an after_request hook because Flask writes the session cookie after
    those hooks have run.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, value + "; Secure")
                if name.lower() == "set-cookie" and not _has_secure_flag(value)
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.blueprint in STAFF_BLUEPRINTS:
        response.headers.setdefault("Cache-Control", "no-store")
    # HSTS over plain HTTP is ignored by browsers and would lock out a misconfigured test deployment.
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class FromTrustedProxies:
    """Behind N proxies, trust the last N X-Forwarded-* values, so that request.is_secure and the
    client address (rate limits, /metrics) are the citizen's, not the load balancer's; but only on
    connections from the proxies' own addresses. Anyone else who reaches the app port is taken at
    their socket's address, whatever X-Forwarded-For they send."""

    def __init__(self, wsgi_app, proxies: int, trusted_networks):
        self.direct = wsgi_app
        self.forwarded = ProxyFix(wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
        self.trusted_networks = trusted_networks

    def __call__(self, environ, start_response):
        if in_networks(environ.get("REMOTE_ADDR"), self.trusted_networks):
            return self.forwarded(environ, start_response)
        return self.direct(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = SecureCookies(app.wsgi_app)
    proxies = int(app.config.get("PROXY_COUNT", 0))
    if proxies > 0:
        app.wsgi_app = FromTrustedProxies(app.wsgi_app, proxies, app.config.get("PROXY_NETWORKS", ()))
    app.after_request(_add_headers)
    # Hardening of input, registered from here so the factory stays a table of contents.
    from feedback import input_guard

    input_guard.init_app(app)
