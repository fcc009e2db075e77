"""Before the first dose: eligibility screening, informed consent and Spravato REMS enrolment."""
