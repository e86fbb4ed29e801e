"""Part of the terminal interface."""
