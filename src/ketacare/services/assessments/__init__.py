"""Measurement-based care: scored assessments, questionnaire links, outcomes and safety alerts."""
