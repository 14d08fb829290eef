"""The desa offices' contacts in DynamoDB: one item per desa, in its own partition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...domain.desa import DesaContact
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import translated
from .records_items import DynamoTable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


def _key(desa: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": _s(f"DESA#{desa}"), "SK": _s("CONTACT")}


class DesaContactRecords(DynamoTable):
    def get_desa_contact(self, desa: str) -> DesaContact | None:
        with translated("get_desa_contact"):
            item: Mapping[str, AttributeValueTypeDef] | None = self._get(_key(desa))
        if item is None:
            return None
        return DesaContact(
            desa=desa,
            phone=_str(item, "phone"),
            whatsapp=bool(item["whatsapp"].get("BOOL")),
            hours=_str(item, "hours"),
            updated_at=_str(item, "updated_at"),
            updated_by=_str(item, "updated_by"),
        )

    def save_desa_contact(self, contact: DesaContact) -> None:
        item: dict[str, AttributeValueTypeDef] = {
            **_key(contact.desa),
            "phone": _s(contact.phone),
            "whatsapp": {"BOOL": contact.whatsapp},
            "hours": _s(contact.hours),
            "updated_at": _s(contact.updated_at),
            "updated_by": _s(contact.updated_by),
        }
        with translated("save_desa_contact"):
            self.client.put_item(TableName=self.table, Item=item)
