"""The activities domain: pure decide/evolve for activities, and quota counting."""
