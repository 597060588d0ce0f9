"""Partner API models, one module per concern, re-exported here."""

from .keys import PartnerKey, Scope
from .webhooks import DeliveryAttempt, Webhook, WebhookDelivery

__all__ = [
    "DeliveryAttempt",
    "PartnerKey",
    "Scope",
    "Webhook",
    "WebhookDelivery",
]
