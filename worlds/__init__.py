"""Ready-made worlds for tests and benchmarks: people and groups written straight into the
bot's database (onboarding hundreds of people through the dialog would only be slow).

tests/ and bench/ both import these; the bot (bot/) never does.
"""
