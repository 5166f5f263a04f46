"""Activities contracts: teaching-research activities, attendance, materials, assessment."""
