"""What route handlers receive: the rule engine in service, the network, the store, and the
person asking.

The providers are ``async`` so that FastAPI calls them on the event loop: a plain function
would be sent to a worker thread and back for every request, for a mere attribute read.
The engine is *leased*: a request holds the version in service when it started until its
answer is built, even if another version is published meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from engine import RuleEngine
from network import Network, Occupancy
from store import Store

from .state import ServiceState
from .worker import EvaluationThread


async def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


async def engine_in_service(request: Request) -> AsyncIterator[RuleEngine]:
    holder = request.app.state.service.rule_bases
    served = holder.acquire()
    try:
        yield served.engine
    finally:
        holder.release(served)


async def _network(request: Request) -> Network:
    network: Network = request.app.state.service.network
    return network


async def _occupancy(request: Request) -> Occupancy:
    occupancy: Occupancy = request.app.state.service.occupancy
    return occupancy


async def _store(request: Request) -> Store:
    store: Store = request.app.state.service.store
    return store


async def _evaluation_thread(request: Request) -> EvaluationThread:
    thread: EvaluationThread = request.app.state.service.evaluation
    return thread


StateDep = Annotated[ServiceState, Depends(_state)]
EngineDep = Annotated[RuleEngine, Depends(engine_in_service)]
NetworkDep = Annotated[Network, Depends(_network)]
StoreDep = Annotated[Store, Depends(_store)]
#: The referrals of the week per institution, as last counted (live capacity).
OccupancyDep = Annotated[Occupancy, Depends(_occupancy)]
EvaluationThreadDep = Annotated[EvaluationThread, Depends(_evaluation_thread)]
