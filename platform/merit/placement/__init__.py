"""Placement: how well people match positions, and who ranks first and why."""
