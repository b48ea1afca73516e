"""Background jobs of audits and improvement."""
