"""Server-rendered web pages (Jinja2 templates in templates/pages/)."""
