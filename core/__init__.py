"""Small helpers shared by every app (no models, so not an installed app)."""
