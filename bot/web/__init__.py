"""The coordinators' web dashboard: a Starlette app with Jinja2 templates and htmx, served
in the bot's own process (its own port, or the webhook's server). It reads through the
storage repositories and acts through the core's own functions, so permission checks,
the audit log and the outbox are the bot's."""
