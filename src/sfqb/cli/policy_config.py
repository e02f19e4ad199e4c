"""The `policy:` section of a company in the SFQB_CONFIG file, parsed into a CompanyPolicy.

The checks live in sfqb.services.policy, which the console's policy form uses too.
"""

from __future__ import annotations

from sfqb.services.policy import PolicyError, parse_policy

__all__ = ["PolicyError", "parse_policy"]
