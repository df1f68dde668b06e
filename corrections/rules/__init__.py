"""Pure rules: dates, working days, due dates, deadlines and suggestions (no Flask, no DB)."""
