"""Pages of the health module, one module per part of the work."""
