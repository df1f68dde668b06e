"""Official documents generated from the records, attachments, and ledger imports."""
