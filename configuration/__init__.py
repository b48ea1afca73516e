"""Configuration management (ISO/IEC 20000-1 clause 9.1): CI types, CIs, relationships, baselines and CMDB audits."""
