"""Security headers on every response: a CSP that Dash still works under, no framing, no sniffing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask, Response


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """Scripts only from this server (plus Dash's own inline scripts, by hash); nothing from elsewhere.

    plotly.js compiles some functions at run time, hence 'unsafe-eval'; React and plotly set inline
    styles, hence 'unsafe-inline' for styles only.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install_security_headers(server: Flask, script_hashes: Callable[[], Sequence[str]]) -> None:
    """``script_hashes`` gives the quoted CSP hashes of the inline scripts (``Dash.csp_hashes``). It is
    asked on the first response, once Dash has registered its own inline scripts, and kept."""
    policy: list[str] = []

    @server.after_request
    def _headers(response: Response) -> Response:
        if not policy:
            policy.append(content_security_policy(script_hashes()))
        response.headers["Content-Security-Policy"] = policy[0]
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response
