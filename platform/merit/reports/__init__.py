"""Documents Merit produces for people outside the system: selection announcements."""
