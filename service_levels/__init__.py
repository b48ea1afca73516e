"""Service level management (ISO/IEC 20000-1 clause 6.1, 6.2, 6.3, 6.5, 7.1): the service catalogue, customers, SLAs/OLAs, business calendars, SLA clocks and service reports."""
