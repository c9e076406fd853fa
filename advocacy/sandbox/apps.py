from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """A LinkedIn simulator speaking LinkedIn's HTTP API, for development, demos and tests."""

    name = "advocacy.sandbox"
    label = "sandbox"
    verbose_name = "LinkedIn sandbox"
