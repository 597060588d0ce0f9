"""The live channel: changes rendered once per process and pushed to open pages."""
