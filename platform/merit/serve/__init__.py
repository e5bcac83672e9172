"""Merit's web pages: the offline Voila template, the login in front of it, ``merit serve``."""
