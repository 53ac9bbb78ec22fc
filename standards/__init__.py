"""STANAG catalogue, national ratification and implementation."""
