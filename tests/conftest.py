"""Shared test settings: hypothesis runs derandomized so CI results repeat exactly."""

from hypothesis import settings

settings.register_profile("lawsmith", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("lawsmith")
