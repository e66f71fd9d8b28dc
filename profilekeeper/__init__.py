"""profilekeeper: a shopper's own profile, kept by the shopper."""

__version__ = "0.1.0"
