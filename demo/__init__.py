"""Demo data for development: the national station network, engineers and demo accounts."""
