"""The words of case management: tables, enums, rules that need no database."""
