"""Release and deployment management (ISO/IEC 20000-1 clause 9.3): the release policy, releases, deployments and early-life monitoring."""
