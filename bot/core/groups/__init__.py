"""Sponsor groups: roles, invites, the shared task board, overviews and the support plan."""
