"""PK/PD engine: models, exact linear solutions, metrics, virtual populations (numpy lives only here)."""
