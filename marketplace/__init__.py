"""Engineers and what customers see of them: skills, profiles, and (later) reviews,
favourites, points and levels."""
