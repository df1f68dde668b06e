"""The person file (一人一档)."""
