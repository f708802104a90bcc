"""Journeys: step-by-step guides as versioned, declarative data (flows/journeys/*.yaml)."""
