"""From evidence to competency levels."""
