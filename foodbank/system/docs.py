"""The API documentation page at /schema: RapiDoc, served from the package (no CDN, no inline script).

RapiDoc 9.3.8 (MIT, templates/pages/static/vendor/rapidoc-9.3.8/, from the npm registry) is a web
component configured by attributes, so the page needs no script of its own and passes the same
Content-Security-Policy as every page.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

RAPIDOC_JS = "/static/vendor/rapidoc-9.3.8/rapidoc-min.js"


class RapidocDocs(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path=["/", "/rapidoc"])

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} API</title>
  <script type="module" src="{RAPIDOC_JS}"></script>
</head>
<body>
  <noscript>The API documentation needs JavaScript; the document itself is at {spec}.</noscript>
  <rapi-doc spec-url="{spec}" render-style="read" show-header="false" allow-spec-url-load="false"
    allow-spec-file-load="false" allow-server-selection="false" theme="light" load-fonts="false"
    regular-font="system-ui, sans-serif" mono-font="ui-monospace, monospace"></rapi-doc>
</body>
</html>
""".encode()
