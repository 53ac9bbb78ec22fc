"""Standards' API: serializers, views and imports (thin: input -> service -> output)."""
