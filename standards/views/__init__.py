"""Standards' pages, one module per subject."""
