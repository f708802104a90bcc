"""Wegwijs: a multilingual guide for newcomers in the Netherlands and the groups who support them."""
