"""The treatment session at the chair: booking, gates, the administration record, vitals, the note
and the REMS form.
"""
