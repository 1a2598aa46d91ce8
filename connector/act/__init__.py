"""The Act! CRM connector's parts: configuration → client → table specs → sync engine → records."""
