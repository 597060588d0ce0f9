"""Staff and reporters: newsroom profiles and the Reporter/Editor roles."""
