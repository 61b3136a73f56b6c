"""Ruta's partner network: which concrete institution to refer a person to, and why.

Typical use::

    from engine import load_rule_base
    from network import load_network

    network = load_network()                      # network/data/
    preference = load_rule_base().referral_preference
    selection = network.select_targets("HUM_TEMPORARY_SHELTER", "54001", k=3, preference=preference)
    for target in selection.targets:
        print(target.institution.name, target.reason.es)
    if selection.no_target_reason is not None:    # nobody to offer: say why
        print(selection.no_target_reason.es)

The referrals each institution has sent or accepted this ISO week (counted by the store) are
passed as an :class:`Occupancy`; an institution whose weekly capacity is used up is passed over::

    used = Occupancy({"centro-migraciones-cucuta": 40})
    network.select_targets("HUM_TEMPORARY_SHELTER", "54001", preference=preference, occupancy=used)
"""

from .errors import (
    DataProblem,
    NetworkDataError,
    NetworkError,
    OccupancyError,
    UnknownPlaceError,
)
from .levels import Level
from .loader import POLICY_FILE, default_data_dir, load_network
from .models import NearestPolicy, NetworkPolicy
from .network import Gap, Network, NetworkData, PassedOver, Selection, Target
from .occupancy import Occupancy
from .reasons import NO_CAPACITY

__all__ = [
    "NO_CAPACITY",
    "POLICY_FILE",
    "DataProblem",
    "Gap",
    "Level",
    "NearestPolicy",
    "Network",
    "NetworkData",
    "NetworkDataError",
    "NetworkError",
    "NetworkPolicy",
    "Occupancy",
    "OccupancyError",
    "PassedOver",
    "Selection",
    "Target",
    "UnknownPlaceError",
    "default_data_dir",
    "load_network",
]
