"""Security headers on every response: pages, API, static files, errors and 404s alike.

Set in the outermost ASGI wrapper (`lib/context.py`), so nothing escapes them. A route that needs a
policy of its own (the annual summary as a standalone HTML file, with its inline stylesheet) sends its
own `Content-Security-Policy`, which is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline script anywhere: the pages' scripts are files under /static
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""What a page may load: only what this service serves. No CDN: warehouses are often offline."""

DOCUMENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
"""For a standalone HTML document (meant to be saved and opened anywhere, so its stylesheet is inline):
no script at all, nothing loaded."""

DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
"""The API documentation (/schema): RapiDoc sets style attributes as it draws; its script is ours, from /static."""
DOCS_PATHS = ("/schema", "/schema/", "/schema/rapidoc")

_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
    (b"cross-origin-opener-policy", b"same-origin"),
)
STATIC_PREFIX = "/static/"


def security_headers(path: str, present: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers to add to a response for `path`, given those it already has (the caller drops any
    Cache-Control of a response that is not a static file).

    Everything but the static files (stylesheets, scripts: the same for everyone) is `no-store`: pages and
    API answers may carry a household's identity, and a shared phone or a proxy must not keep them."""
    names = {name.lower() for name, _ in present}
    added = [(name, value) for name, value in _ALWAYS if name not in names]
    if b"content-security-policy" not in names:
        policy = DOCS_POLICY if path in DOCS_PATHS else CONTENT_SECURITY_POLICY
        added.append((b"content-security-policy", policy.encode()))
    if not path.startswith(STATIC_PREFIX):
        added.append((b"cache-control", b"no-store"))
    return added
