"""Ruta's partner network: which concrete institution to refer a person to, and why.

Typical use::

    from engine import load_rule_base
    from network import load_network

    network = load_network()                      # network/data/
    preference = load_rule_base().referral_preference
    selection = network.select_targets("HUM_TEMPORARY_SHELTER", "54001", k=3, preference=preference)
    for target in selection.targets:
        print(target.institution.name, target.reason.es)
"""

from .errors import DataProblem, NetworkDataError, NetworkError, UnknownPlaceError
from .loader import default_data_dir, load_network
from .network import Gap, Level, Network, NetworkData, PassedOver, Selection, Target

__all__ = [
    "DataProblem",
    "Gap",
    "Level",
    "Network",
    "NetworkData",
    "NetworkDataError",
    "NetworkError",
    "PassedOver",
    "Selection",
    "Target",
    "UnknownPlaceError",
    "default_data_dir",
    "load_network",
]
