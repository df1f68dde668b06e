"""Education, public service, counselling and assistance sessions (场次) and attendances (人次)."""
