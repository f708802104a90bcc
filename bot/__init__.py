"""Wegwijs: a multilingual guide for newcomers in the Netherlands and their support groups."""
