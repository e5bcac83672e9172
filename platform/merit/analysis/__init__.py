"""Statistics about items and scores: item analysis, reliability, similar answers."""
