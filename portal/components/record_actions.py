"""What a citizen can do with one registry record in the cabinet: confirm or report it, pay a debt."""

from __future__ import annotations

from portal.components.corrections import correction_controls
from portal.components.payments import pay_button
from portal.store.actors import PersonActor
from portal.store.registry import RecordView
from portal.store.registry_kinds import KindSpec


def record_actions(actor: PersonActor, spec: KindSpec, record: RecordView) -> None:
    if spec.payable and record.data.get('status') == 'unpaid':
        pay_button(actor, record)
    correction_controls(actor, record)
