"""Coordinator broadcasts: audiences, language versions, the paced delivery outbox, reports."""
