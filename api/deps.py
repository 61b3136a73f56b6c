"""What route handlers receive: the rule engine and the network built at start-up.

The providers are ``async`` so that FastAPI calls them on the event loop: a plain function
would be sent to a worker thread and back for every request, for a mere attribute read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine import RuleEngine
from network import Network

from .worker import EvaluationThread


async def _engine(request: Request) -> RuleEngine:
    engine: RuleEngine = request.app.state.engine
    return engine


async def _network(request: Request) -> Network:
    network: Network = request.app.state.network
    return network


async def _evaluation_thread(request: Request) -> EvaluationThread:
    thread: EvaluationThread = request.app.state.evaluation_thread
    return thread


EngineDep = Annotated[RuleEngine, Depends(_engine)]
NetworkDep = Annotated[Network, Depends(_network)]
EvaluationThreadDep = Annotated[EvaluationThread, Depends(_evaluation_thread)]
