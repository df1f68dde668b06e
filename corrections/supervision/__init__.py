"""社区矫正 cases: intake, levels, contacts, sanctions, leave, incidents, monitoring, endings."""
