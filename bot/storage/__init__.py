"""Durable storage: typed models, one session per update, repositories, migrations."""
