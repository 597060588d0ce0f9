"""Partners: API keys, webhooks and the versioned partner API's plumbing."""
