"""Entry points: CLI, HTTP API, web pages. Thin: they call services and format results."""
