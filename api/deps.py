"""What route handlers receive: the rule engine and the network built at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine import RuleEngine
from network import Network


def _engine(request: Request) -> RuleEngine:
    engine: RuleEngine = request.app.state.engine
    return engine


def _network(request: Request) -> Network:
    network: Network = request.app.state.network
    return network


EngineDep = Annotated[RuleEngine, Depends(_engine)]
NetworkDep = Annotated[Network, Depends(_network)]
