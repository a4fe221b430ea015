"""An organisation's webhook endpoints and their delivery log, as its Administrators keep them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import (
    Items,
    WebhookAttemptOut,
    WebhookDeliveryDetailOut,
    WebhookDeliveryOut,
    WebhookEndpointChange,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointOut,
)
from entitle.service import webhooks
from entitle.service.webhooks import (
    EDIT_REFUSALS,
    MANAGE_REFUSALS,
    ONE_REFUSALS,
    REDELIVER_REFUSALS,
    TEST_REFUSALS,
)
from entitle.store.webhooks import Delivery, Endpoint

router = APIRouter(prefix="/admin/webhooks", tags=["webhooks"])
EndpointId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The endpoint's id")]
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The delivery's id")]


def endpoint_out(endpoint: Endpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.enabled,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
        created_by=endpoint.created_by,
    )


def delivery_out(delivery: Delivery) -> WebhookDeliveryOut:
    fields = asdict(delivery)
    fields.pop("endpoint_id")
    return WebhookDeliveryOut(**fields)


@router.get(
    "",
    summary="The organisation's webhook endpoints (Administrators)",
    operation_id="listWebhookEndpoints",
    openapi_extra=refuses(*MANAGE_REFUSALS),
)
def list_endpoints(actor: Actor, services: ServicesDep) -> Items[WebhookEndpointOut]:
    """Every endpoint: URL, event types, whether enabled and why not. Secrets are never
    shown again after the endpoint is added."""
    return Items(items=[endpoint_out(e) for e in webhooks.list_endpoints(services, actor.user)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a webhook endpoint; answers its secret, once (Administrators)",
    operation_id="addWebhookEndpoint",
    openapi_extra=refuses(*EDIT_REFUSALS),
)
def add_endpoint(
    body: WebhookEndpointIn, actor: Actor, services: ServicesDep
) -> WebhookEndpointCreated:
    """Events of the chosen types (none: all) are sent to the URL as JSON, signed to the
    Standard Webhooks specification with the answer's `secret` (headers `webhook-id`,
    `webhook-timestamp`, `webhook-signature`); a receiver verifies them with the
    `standardwebhooks` libraries and drops duplicates by `webhook-id`. Audited."""
    added = webhooks.add_endpoint(
        services, actor.user, body.url, body.event_types, body.description, actor.address
    )
    return WebhookEndpointCreated(**endpoint_out(added.endpoint).model_dump(), secret=added.secret)


@router.get(
    "/{endpoint_id}",
    summary="One webhook endpoint (Administrators)",
    operation_id="getWebhookEndpoint",
    openapi_extra=refuses(*ONE_REFUSALS),
)
def get_endpoint(
    endpoint_id: EndpointId, actor: Actor, services: ServicesDep
) -> WebhookEndpointOut:
    """The endpoint's URL, event types, and whether it is enabled (and why not); never its
    secret."""
    return endpoint_out(webhooks.get_endpoint(services, actor.user, endpoint_id))


@router.patch(
    "/{endpoint_id}",
    summary="Change, disable or enable a webhook endpoint (Administrators)",
    operation_id="changeWebhookEndpoint",
    openapi_extra=refuses(*ONE_REFUSALS, *EDIT_REFUSALS[1:]),
)
def change_endpoint(
    endpoint_id: EndpointId, body: WebhookEndpointChange, actor: Actor, services: ServicesDep
) -> WebhookEndpointOut:
    """`enabled: true` resumes an endpoint that was disabled (after its deliveries failed for
    a day, or by hand), and its pending deliveries with it. Audited."""
    changed = webhooks.change_endpoint(
        services,
        actor.user,
        endpoint_id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        enabled=body.enabled,
        address=actor.address,
    )
    return endpoint_out(changed)


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a webhook endpoint and its delivery log (Administrators)",
    operation_id="removeWebhookEndpoint",
    openapi_extra=refuses(*ONE_REFUSALS),
)
def remove_endpoint(endpoint_id: EndpointId, actor: Actor, services: ServicesDep) -> Response:
    """Nothing more is sent to it, pending deliveries included. Audited."""
    webhooks.remove_endpoint(services, actor.user, endpoint_id, actor.address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{endpoint_id}/deliveries",
    summary="An endpoint's latest deliveries (Administrators)",
    operation_id="listWebhookDeliveries",
    openapi_extra=refuses(*ONE_REFUSALS),
)
def list_deliveries(
    endpoint_id: EndpointId, actor: Actor, services: ServicesDep
) -> Items[WebhookDeliveryOut]:
    """The latest 100, newest first: status, attempts, the last answer and how long it took."""
    found = webhooks.deliveries(services, actor.user, endpoint_id)
    return Items(items=[delivery_out(d) for d in found])


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    summary="One delivery with every attempt (Administrators)",
    operation_id="getWebhookDelivery",
    openapi_extra=refuses(*REDELIVER_REFUSALS[:2], REDELIVER_REFUSALS[-1]),
)
def get_delivery(
    endpoint_id: EndpointId, delivery_id: DeliveryId, actor: Actor, services: ServicesDep
) -> WebhookDeliveryDetailOut:
    """The delivery's status and every attempt of it: when, the HTTP status answered (or
    why none was), and how long the receiver took."""
    found, log = webhooks.attempts(services, actor.user, endpoint_id, delivery_id)
    return WebhookDeliveryDetailOut(
        **delivery_out(found).model_dump(),
        attempts_log=[WebhookAttemptOut(**asdict(a)) for a in log],
    )


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    summary="Send a delivery again, with the same webhook-id (Administrators)",
    operation_id="redeliverWebhook",
    openapi_extra=refuses(*REDELIVER_REFUSALS),
)
def redeliver(
    endpoint_id: EndpointId, delivery_id: DeliveryId, actor: Actor, services: ServicesDep
) -> WebhookDeliveryOut:
    """The delivery is pending again and goes out within the worker's interval; a failure is
    retried on the whole schedule again. Audited."""
    again = webhooks.redeliver(services, actor.user, endpoint_id, delivery_id, actor.address)
    return delivery_out(again)


@router.post(
    "/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a test event to the endpoint (Administrators)",
    operation_id="sendWebhookTestEvent",
    openapi_extra=refuses(*TEST_REFUSALS),
)
def send_test_event(
    endpoint_id: EndpointId, actor: Actor, services: ServicesDep
) -> WebhookDeliveryOut:
    """A `webhook.test` event, to this endpoint alone; answers its delivery, pending."""
    return delivery_out(webhooks.send_test_event(services, actor.user, endpoint_id, actor.address))
