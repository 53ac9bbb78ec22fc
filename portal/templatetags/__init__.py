"""Template filters every app's templates may load (``{% load portal_formats %}``)."""
