"""Problem management (ISO/IEC 20000-1 clause 8.2): problems and known errors."""
