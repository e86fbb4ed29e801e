"""The terminal interface (Textual). Nothing here runs SQL on the event loop."""
