"""Role-based access policy: who may do what to which patient's data."""

from ketacare.core.authz.policy import Action, Actor, Decision, Role, Target, can, require

__all__ = ["Action", "Actor", "Decision", "Role", "Target", "can", "require"]
