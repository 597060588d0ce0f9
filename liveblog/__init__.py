"""Live blogs: posts, their media, the editorial workflow and the per-blog change log."""
