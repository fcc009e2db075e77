"""Medication orders: the status a prescriber's order moves through, as a transition table."""

from ketacare.core.orders.states import TRANSITIONS, OrderStatus, can_transition, transition

__all__ = ["TRANSITIONS", "OrderStatus", "can_transition", "transition"]
