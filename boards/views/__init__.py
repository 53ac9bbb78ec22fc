"""The boards pages: thin views over boards.selectors and boards.services."""
