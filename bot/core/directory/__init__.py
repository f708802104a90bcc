"""The help directory (a sociale kaart): who can help here, by theme, municipality and
language; maintained by coordinators as CSV and in the bot; exported as HSDS 3.0."""
