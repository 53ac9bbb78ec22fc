"""Standards' forms (input only; the services decide), one module per subject."""
