"""Volunteer work and language buddies: opportunities, profiles, ranking, matches."""
