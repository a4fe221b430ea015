"""What routes need from the application: the services built once per process, the address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from entitle.service.context import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "")[:64]


ServicesDep = Annotated[Services, Depends(get_services)]
Address = Annotated[str, Depends(client_address)]
