"""What routes need from the application: the services built once per process, the address.

Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the
thread pool, and that hop cost more than the work itself on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from entitle.service.context import Services


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def address_of(request: Request) -> str:
    return (request.client.host if request.client else "")[:64]


async def client_address(request: Request) -> str:
    return address_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]
Address = Annotated[str, Depends(client_address)]
