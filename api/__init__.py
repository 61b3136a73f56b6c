"""Ruta's HTTP API (FastAPI): recommendations, rules, institutions and network gaps."""
