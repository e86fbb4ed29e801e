"""Queries, made for the acting staff member: every read is scoped to what they may see."""
