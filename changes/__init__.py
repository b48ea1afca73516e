"""Change management (ISO/IEC 20000-1 clause 9.2): requests for change, the CAB and the schedule of change; clause 5 service transitions."""
