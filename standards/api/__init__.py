"""Standards' API: serializers and views (thin: input -> service -> output)."""
