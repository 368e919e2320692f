"""reportkit: the library behind the Panel report toolchain (`report` is its CLI)."""

__version__ = "0.1.0"
