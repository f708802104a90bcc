"""Answers to typed questions: FAQ content (flows/faq) and a matcher that needs no network."""
