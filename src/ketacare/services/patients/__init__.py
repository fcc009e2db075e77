"""The patient record: registration, demographics, body measurements and the own portal."""
