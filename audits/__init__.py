"""Audits and improvement (ISO/IEC 20000-1 clause 4.x): policy and objectives, controlled documents, internal audits, nonconformities, improvements and management reviews."""
