"""Supplier management (ISO/IEC 20000-1 clause 7.2): suppliers, contracts, supplier reviews and disputes."""
