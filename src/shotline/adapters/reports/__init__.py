"""Rendered reports (self-contained HTML with inline SVG charts: nothing fetched)."""
