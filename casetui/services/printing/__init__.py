"""Printed output: PDF documents laid out from read models.

An output format like the spreadsheet readers are an input one: plain file work that knows
nothing of the database (an import-linter contract keeps it so). The services gather the
read models, check who may, audit, and hand them here.
"""
