"""Medication orders: the protocol library, dose calculation, signing, and the predicted
concentrations.
"""
