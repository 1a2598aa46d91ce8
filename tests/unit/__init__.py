"""Fast tests of pure parts: no network, no subprocess (`pytest -m unit`)."""
