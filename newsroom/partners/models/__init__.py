"""Partner API models, one module per concern, re-exported here."""

from .idempotency import IdempotencyRecord
from .keys import PartnerKey, Scope
from .webhooks import DeliveryAttempt, Webhook, WebhookDelivery

__all__ = [
    "DeliveryAttempt",
    "IdempotencyRecord",
    "PartnerKey",
    "Scope",
    "Webhook",
    "WebhookDelivery",
]
