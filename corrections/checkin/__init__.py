"""自助报到 (self check-in): enrolment, the person's own login realm, check-ins, review.

docs/domain.md §7.12 describes the rules, docs/security.md ("The person's realm") the login
realm and photo retention, docs/api.md the endpoints.
"""
