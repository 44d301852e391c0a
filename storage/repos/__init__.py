"""Queries the services need, named after what they do. Nothing outside storage/ writes SQL."""
