"""The playground: train and watch a network live in the browser."""

from .server import create_app, serve
from .settings import Settings, SettingsError, parse_settings

__all__ = ["Settings", "SettingsError", "create_app", "parse_settings", "serve"]
