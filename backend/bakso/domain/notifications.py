"""What residents are told and when (#18, docs/notifications.md): the statuses that send a
message to a resident who consented at the loket, and the channel's name in their words."""

from __future__ import annotations

# DIAJUKAN: code, link and PIN; PERLU_PERBAIKAN: what to bring; DITOLAK: the reason;
# SELESAI: where to collect, or that it can be downloaded with the PIN.
NOTIFIED_STATUSES = ("DIAJUKAN", "PERLU_PERBAIKAN", "DITOLAK", "SELESAI")

# The configured notifier's channel (ports.Notifier.channel) as the status page names it.
CHANNEL_NAMES = {"local": "SMS", "sms": "SMS", "whatsapp": "WhatsApp"}
